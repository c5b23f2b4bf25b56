import Logging
import MilterClient
import MilterProtocol
import NIOConcurrencyHelpers
import NIOCore
import ReferenceMilter

/// The result of `test`: what the played Postfix decided, and the classifier's reason.
package struct TestRun {
    /// The queue ID sent in the `i` macro, so that the output does not change from run to run.
    package static let queueID = "4TESTQUEUEID"

    /// What the played MTA decided.
    package let outcome: TestOutcome
    /// The classifier's reason if the message reached it, else the server's first warning (the memory
    /// budget's tempfail says why it was given).
    package let reason: String?
    /// The queue ID of the message.
    package let queueID: String
    /// The server's other warnings, as the daemon logs them: a modification dropped because the MTA
    /// did not grant it, say. The one given as ``reason`` is not repeated.
    package var warnings: [String] = []

    /// Starts a server with the classifier on a private socket, has MilterClient play Postfix with `client`
    /// (by default MilterClient's, as milter-replay's) through one message to it, and stops the server.
    /// `memory` is the server's memory budget (the daemon's default unless a test asks for less).
    /// A frame the milter would refuse (over `options.maximumFrameSize`: a header field's, or one carrying the
    /// envelope, the HELO name, the client's name or a macro value) is ``FrameTooLarge``, thrown before anything
    /// is sent.
    package static func run(
        message: MilterMessage, classifier: any MailClassifier, options: ProtocolOptions, classifierTimeout: TimeAmount,
        client: SMTPClient = SMTPClient(), memory: MemoryBudget = MemoryBudget()
    ) async throws -> TestRun {
        let symbolLists = classifier.needs.macros.map { SymbolList(stage: $0.key, names: $0.value) }
        try FrameSizeCheck.check(
            message, configuration: PostfixPlay.configuration(timeout: classifierTimeout + .seconds(10)),
            client: client, symbolLists: symbolLists, limit: options.maximumFrameSize)
        let decision = NIOLockedValueBox<Decision?>(nil)
        let warnings = ServerWarnings()
        let logger = warnings.logger(label: "test")
        var configuration = ServerConfiguration(
            eventLoopThreads: 1, classifierTimeout: classifierTimeout, drainTimeout: .milliseconds(100),
            protocolOptions: options, memory: memory)
        // A private socket with one client, this process: the handshake timeout guards against
        // hostile peers, and this one may send OPTNEG late on a busy machine.
        configuration.timeouts.handshake = configuration.timeouts.idle
        let milter = try await PrivateSocketMilter.start(
            classifier: classifier,
            configuration: configuration, logger: logger,
            observer: { _, value in decision.withLockedValue { $0 = value } })
        do {
            let outcome = try await PostfixPlay.deliver(
                message, to: .unix(path: milter.path), timeout: classifierTimeout + .seconds(10), client: client)
            await milter.shutdown()
            let logged = warnings.warnings
            // The memory budget's tempfail is not the classifier's: its warning says more than its reason.
            // Told by its flag: a classifier may give the same reason.
            let decided = decision.withLockedValue { $0 }.flatMap {
                $0.isMemoryBudgetRefusal && !logged.isEmpty ? nil : $0.reason
            }
            return TestRun(
                outcome: outcome, reason: decided ?? logged.first, queueID: queueID,
                warnings: decided == nil ? Array(logged.dropFirst()) : logged)
        } catch {
            await milter.shutdown()
            // The milter's side of a broken session (a frame it refused, say) is in its log only.
            guard let warning = warnings.firstWarning else { throw error }
            throw TestPlayFailure(cause: error, serverWarning: warning)
        }
    }

    /// The documented exit status of the verdict.
    package var exitStatus: Int32 {
        ["accept": 0, "reject": 1, "tempfail": 3, "discard": 4, "quarantine": 5][outcome.verdict] ?? 0
    }
}

/// A session of `test` that failed, with the first warning the milter logged: the cause that the
/// played MTA cannot see (it only sees the connection closed).
struct TestPlayFailure: Error, CustomStringConvertible {
    /// What the played MTA saw.
    let cause: any Error
    /// The milter's first warning or error.
    let serverWarning: String

    var description: String { "\(cause) (the milter logged: \(serverWarning))" }
}
