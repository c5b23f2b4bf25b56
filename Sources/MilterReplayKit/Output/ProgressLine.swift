import Synchronization
import _MilterSystem

/// A progress line on standard error, when it is a terminal, for runs longer than a second.
final class ProgressLine: Sendable {
    private let done = Mutex(0)
    private let total: Int?
    private let enabled: Bool

    init(total: Int?) {
        self.total = total
        self.enabled = isatty(STDERR_FILENO) == 1
    }

    /// Counts a finished message.
    func advance() { done.withLock { $0 += 1 } }

    /// Redraws the line every quarter second from one second on, until the task is cancelled.
    func run(start: ContinuousClock.Instant) async {
        guard enabled else { return }
        try? await Task.sleep(for: .seconds(1))
        while !Task.isCancelled {
            let count = done.withLock { $0 }
            let seconds = Double(start.duration(to: .now).microseconds) / 1e6
            let rate = seconds > 0 ? Double(count) / seconds : 0
            let of = total.map { "/\($0)" } ?? ""
            FileDescriptorWriter.standardError("\r\(count)\(of) messages  \(String(format3: rate)) msg/s ")
            try? await Task.sleep(for: .milliseconds(250))
        }
        FileDescriptorWriter.standardError("\r\u{1B}[K")
    }
}
