import MilterProtocol
import MilterTestSupport
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import ReferenceMilter

/// Graceful shutdown past its drain timeout: an MTA that waits for the reply to a message (or to an early
/// check) the classifier has not decided yet gets the failure verdict, as from a classifier that failed,
/// then the connection closes. The connection was closed with no reply.
@Suite struct DrainDeadlineTests {
    /// Decides nothing until it is cancelled, at end of message and, if it `checksRecipients`,
    /// for recipients starting with "stall"; counts the calls that started.
    final class StalledClassifier: MailClassifier {
        let started = NIOLockedValueBox(0)
        let checksRecipients: Bool

        init(checksRecipients: Bool = false) { self.checksRecipients = checksRecipients }

        var needs: ClassifierNeeds { ClassifierNeeds(earlyChecks: checksRecipients ? [.recipient] : []) }

        func check(_ event: EarlyEvent, _ mail: MailInfo) async throws -> Verdict? {
            guard case .recipient(let entry) = event, entry.address.hasPrefix("stall") else { return nil }
            try await stall()
            return .accept
        }

        func classify(_ mail: MailInfo) async throws -> Decision {
            try await stall()
            return .accept("too late")
        }

        /// Waits until the call is cancelled: the tests end it by the drain deadline, the close or the scheduler's
        /// timeout on the loop's clock. It never returns on its own: a stall that ended after some seconds of real
        /// time answered the message before a test starved of CPU (55 s in a loaded CI run) fired its deadline.
        private func stall() async throws {
            started.withLockedValue { $0 += 1 }
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
    }

    static let tempfail = MilterReply.replyCode("451 4.3.0 Try again later")

    /// How long the MTA waits for the verdict: past the server's classifier timeout (``LoggedMilter``), so that
    /// only the drain deadline answers even when the test is starved of CPU between the classifier's start and
    /// the shutdown (CI saw 55 s), not this guard against hangs expiring first.
    static let mtaTimeout = TimeAmount.seconds(900)

    @Test func aMessageBeingClassifiedGetsTheFailureVerdictThenTheClose() async throws {
        let classifier = StalledClassifier()
        let observed = NIOLockedValueBox<[Decision]>([])
        let logged = try await LoggedMilter.start(
            classifier, observer: { _, decision in observed.withLockedValue { $0.append(decision) } })
        let mta = try await TestMTA.connect(to: logged.milter, timeout: Self.mtaTimeout)
        try await mta.negotiate()
        try await mta.send([Cmd.connect, Cmd.helo])
        // A second connection, idle between messages: it is simply closed.
        let idle = try await TestMTA.connect(to: logged.milter, timeout: Self.mtaTimeout)
        try await idle.negotiate()
        let replies = Task { try await mta.message(Cmd.message(subject: "slow", queueID: "QDRAIN")) }
        try await waitUntil { classifier.started.withLockedValue { $0 } == 1 }
        await logged.milter.shutdown()

        let answer = try await replies.value
        #expect(answer == [Self.tempfail], "\(answer) \(logged.log)")
        #expect(try await mta.isClosed())
        #expect(try await idle.isClosed())
        #expect(
            logged.log.contains("QDRAIN: TEMPFAIL (server shutting down: the drain timeout expired)"), "\(logged.log)")
        #expect(observed.withLockedValue { $0.map(\.verdict) } == [ProtocolOptions().failureVerdict])
        await mta.close()
        await idle.close()
    }

    @Test func anEarlyCheckUnderWayGetsTheFailureVerdictThenTheClose() async throws {
        let classifier = StalledClassifier(checksRecipients: true)
        let logged = try await LoggedMilter.start(classifier)
        let mta = try await TestMTA.connect(to: logged.milter, timeout: Self.mtaTimeout)
        try await mta.negotiate()
        try await mta.send([Cmd.connect, Cmd.helo, Cmd.mail("alice@example.com")])
        let replies = Task { try await mta.message([Cmd.rcpt("stall@example.org")]) }
        try await waitUntil { classifier.started.withLockedValue { $0 } == 1 }
        await logged.milter.shutdown()

        #expect(try await replies.value == [Self.tempfail])
        #expect(try await mta.isClosed())
        #expect(logged.log.contains("early check abandoned: the drain timeout expired"), "\(logged.log)")
        await mta.close()
    }
}
