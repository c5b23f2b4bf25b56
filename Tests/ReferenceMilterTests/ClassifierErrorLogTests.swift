import MilterProtocol
import MilterTestSupport
import Testing

@testable import ReferenceMilter

/// A classifier that throws gets the failure verdict, and the log says why without personal data: the
/// error's redacted description when it has one (``RedactedErrorDescription``), else its type and a fixed
/// note, never its own description. The log named the type only.
@Suite struct ClassifierErrorLogTests {
    /// Its description quotes the sender; its redacted description does not.
    struct UnknownSender: Error, CustomStringConvertible, RedactedErrorDescription {
        let address: String
        var description: String { "no such sender \(address)" }
        var redactedDescription: String { "no such sender (address of \(address.count) characters)" }
    }

    /// Its description quotes the sender, and it has no redacted one.
    struct LeakyFailure: Error, CustomStringConvertible {
        let address: String
        var description: String { "cannot score mail from \(address)" }
    }

    /// Throws by subject at end of message, and, if it `checksRecipients`, at RCPT for a recipient starting
    /// with "throw".
    struct ThrowingClassifier: MailClassifier {
        var checksRecipients = false

        var needs: ClassifierNeeds { ClassifierNeeds(earlyChecks: checksRecipients ? [.recipient] : []) }

        func check(_ event: EarlyEvent, _ mail: MailInfo) throws -> Verdict? {
            if case .recipient(let entry) = event, entry.address.hasPrefix("throw") {
                throw LeakyFailure(address: entry.address)
            }
            return nil
        }

        func classify(_ mail: MailInfo) throws -> Decision {
            switch mail.subject {
            case "redacted": throw UnknownSender(address: mail.fromAddress)
            case "leaky": throw LeakyFailure(address: mail.fromAddress)
            case "dnsbl": throw DNSBLFailure(.timeout, detail: "after 2 s")
            default: return .accept("fine")
            }
        }
    }

    static let tempfail = MilterReply.replyCode("451 4.3.0 Try again later")

    @Test func theDecisionLineGivesTheRedactedDescriptionOrTheTypeAloneNeverTheAddress() async throws {
        let logged = try await LoggedMilter.start(ThrowingClassifier())
        let mta = try await TestMTA.connect(to: logged.milter)
        try await mta.negotiate()
        try await mta.send([Cmd.connect, Cmd.helo])
        for (subject, queueID) in [("redacted", "QRED"), ("leaky", "QLEAK"), ("dnsbl", "QDNS")] {
            let replies = try await mta.message(Cmd.message(subject: subject, queueID: queueID))
            #expect(replies == [Self.tempfail], "\(subject): \(replies)")
            try await mta.send([.abort])
        }
        await mta.close()
        await logged.milter.shutdown()

        let log = logged.log
        #expect(
            log.contains(
                "QRED: TEMPFAIL (classifier failed: UnknownSender: no such sender (address of 17 characters))"),
            "\(log)")
        #expect(
            log.contains("QLEAK: TEMPFAIL (classifier failed: LeakyFailure (\(ClassifierErrorText.withheld)))"),
            "\(log)")
        #expect(log.contains("QDNS: TEMPFAIL (classifier failed: DNSBLFailure: DNSBL: timeout (after 2 s))"), "\(log)")
        #expect(!log.contains("alice@example.com"), "\(log)")
    }

    @Test func aFailedEarlyCheckIsLoggedByTheErrorsTypeWithoutTheAddress() async throws {
        let logged = try await LoggedMilter.start(ThrowingClassifier(checksRecipients: true))
        let mta = try await TestMTA.connect(to: logged.milter)
        try await mta.negotiate()
        try await mta.send([Cmd.connect, Cmd.helo, Cmd.mail("alice@example.com")])
        #expect(try await mta.message([Cmd.rcpt("throw@example.org")]) == [Self.tempfail])
        await mta.close()
        await logged.milter.shutdown()

        let log = logged.log
        let early = try #require(log.split(separator: "\n").first { $0.contains("early check failed") }, "\(log)")
        #expect(early.contains("error=LeakyFailure (\(ClassifierErrorText.withheld))"), "\(early)")
        #expect(!log.contains("throw@example.org"), "\(log)")
    }

    @Test func aLongRedactedDescriptionIsCut() {
        let long = UnknownSender(address: String(repeating: "a", count: 1_000))
        #expect(ClassifierErrorText.describe(long) == "UnknownSender: no such sender (address of 1000 characters)")
        struct Verbose: Error, RedactedErrorDescription {
            var redactedDescription: String { String(repeating: "v", count: 2_000) }
        }
        let text = ClassifierErrorText.describe(Verbose())
        #expect(text == "Verbose: " + String(repeating: "v", count: ClassifierErrorText.maximumLength) + "…")
    }
}
