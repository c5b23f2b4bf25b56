import Logging
import NIOConcurrencyHelpers

@testable import ReferenceMilter

/// An in-process milter whose operator log lines are kept for the test to read.
struct LoggedMilter {
    let milter: EmbeddedMilter
    private let lines: NIOLockedValueBox<[String]>

    /// Starts `classifier` with a text log at info level; `observer` sees each decision sent; `configure` may change
    /// the configuration last.
    static func start(
        _ classifier: any MailClassifier,
        observer: (@Sendable (MailInfo, Decision) -> Void)? = nil,
        configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> LoggedMilter {
        let lines = NIOLockedValueBox<[String]>([])
        let handler = OperatorLogHandler(
            label: "test", level: .info, format: .text, clock: nil,
            output: { text in lines.withLockedValue { $0.append(text) } })
        var configuration = ServerConfiguration(eventLoopThreads: 1, drainTimeout: .milliseconds(200))
        configuration.timeouts.handshake = .seconds(120)
        // A classifier that stalls until cancelled is ended by the drain deadline the test fires, not by this
        // timeout, even when the test is starved of CPU for a minute before it shuts the server down.
        configuration.classifierTimeout = .seconds(600)
        configure(&configuration)
        let milter = try await EmbeddedMilter.start(
            classifier: classifier, configuration: configuration,
            logger: Logger(label: "test", factory: { _ in handler }), observer: observer)
        return LoggedMilter(milter: milter, lines: lines)
    }

    /// The log so far, as one text.
    var log: String { lines.withLockedValue { $0.joined() } }
}
