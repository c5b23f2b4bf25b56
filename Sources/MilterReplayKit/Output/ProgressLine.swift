import NIOConcurrencyHelpers
import _MilterSystem

/// A progress line on standard error, when it is a terminal, for runs longer than a second.
///
/// Result rows go through ``print(_:)``, which clears the line first under the same lock as the redraw, so a
/// row never starts after the progress text on the terminal.
final class ProgressLine: Sendable {
    private let state = NIOLockedValueBox((done: 0, drawn: false))
    private let total: Int?
    private let enabled: Bool

    init(total: Int?) {
        self.total = total
        self.enabled = isatty(STDERR_FILENO) == 1
    }

    /// Counts a finished message.
    func advance() { state.withLockedValue { $0.done += 1 } }

    /// Writes `text` on standard output, the progress line cleared first if it is showing.
    func print(_ text: String) {
        state.withLockedValue { state in
            if state.drawn {
                FileDescriptorWriter.standardError("\r\u{1B}[K")
                state.drawn = false
            }
            FileDescriptorWriter.standardOutput(text)
        }
    }

    /// Redraws the line every quarter second from one second on, until the task is cancelled.
    func run(start: ContinuousClock.Instant) async {
        guard enabled else { return }
        try? await Task.sleep(for: .seconds(1))
        while !Task.isCancelled {
            state.withLockedValue { state in
                let seconds = Double(start.duration(to: .now).microseconds) / 1e6
                let rate = seconds > 0 ? Double(state.done) / seconds : 0
                let of = total.map { "/\($0)" } ?? ""
                FileDescriptorWriter.standardError("\r\(state.done)\(of) messages  \(String(format3: rate)) msg/s ")
                state.drawn = true
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
        state.withLockedValue { state in
            if state.drawn { FileDescriptorWriter.standardError("\r\u{1B}[K") }
            state.drawn = false
        }
    }
}
