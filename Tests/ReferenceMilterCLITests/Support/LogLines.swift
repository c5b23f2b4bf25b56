import Logging
import NIOConcurrencyHelpers
import ReferenceMilter

/// A logger whose lines (text format, no time) are kept for the test to read.
struct LogLines: Sendable {
    private let lines = NIOLockedValueBox<[String]>([])

    /// Logs at `level` and above into ``all``.
    func logger(level: Logger.Level = .info) -> Logger {
        let handler = OperatorLogHandler(
            label: "test", level: level, format: .text, clock: nil,
            output: { [lines] text in lines.withLockedValue { $0.append(text) } })
        return Logger(label: "test", factory: { _ in handler })
    }

    /// The lines so far, each with its newline.
    var all: [String] { lines.withLockedValue { $0 } }
}
