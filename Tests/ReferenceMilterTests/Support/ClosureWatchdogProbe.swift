@testable import ReferenceMilter

/// A watchdog probe that answers with closures, for tests that drive a ``ConnectionWatchdog`` alone.
/// The watchdog holds its probe unowned: the test keeps it.
final class ClosureWatchdogProbe: ConnectionWatchdogProbe {
    let message: () -> Bool
    let busy: () -> Bool
    let reading: () -> Bool
    let expired: (String) -> Void

    init(
        message: @escaping () -> Bool = { false }, busy: @escaping () -> Bool = { false },
        reading: @escaping () -> Bool = { true }, expired: @escaping (String) -> Void
    ) {
        self.message = message
        self.busy = busy
        self.reading = reading
        self.expired = expired
    }

    var watchdogFindsMessage: Bool { message() }
    var watchdogFindsBusy: Bool { busy() }
    var watchdogFindsReading: Bool { reading() }
    func watchdogExpired(_ timeout: String) { expired(timeout) }
}
