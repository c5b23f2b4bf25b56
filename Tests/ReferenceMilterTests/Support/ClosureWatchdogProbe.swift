@testable import ReferenceMilter

/// A watchdog probe that answers with closures, for tests that drive a ``ConnectionWatchdog`` alone.
/// The watchdog holds its probe unowned: the test keeps it.
final class ClosureWatchdogProbe: ConnectionWatchdogProbe {
    let message: () -> Bool
    let busy: () -> Bool
    let reading: () -> Bool
    let connected: () -> Bool
    let expired: (String) -> Void

    init(
        message: @escaping () -> Bool = { false }, busy: @escaping () -> Bool = { false },
        reading: @escaping () -> Bool = { true }, connected: @escaping () -> Bool = { true },
        expired: @escaping (String) -> Void
    ) {
        self.message = message
        self.busy = busy
        self.reading = reading
        self.connected = connected
        self.expired = expired
    }

    var watchdogFindsMessage: Bool { message() }
    var watchdogFindsBusy: Bool { busy() }
    var watchdogFindsReading: Bool { reading() }
    var watchdogFindsConnected: Bool { connected() }
    func watchdogExpired(_ timeout: String) { expired(timeout) }
}
