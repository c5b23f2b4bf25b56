import MailMessage
import MilterClient
import MilterProtocol
import NIOConcurrencyHelpers
import ReferenceMilterCLI
import Testing

/// `test` runs the classifier in process and has MilterClient play Postfix to it.
@Suite struct TestRunTests {
    static func message(subject: String = "hello", recipients: [String] = ["bob@example.org"]) -> MilterMessage {
        let text = "From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: \(subject)\r\n\r\nHi\r\n"
        return MilterMessage(
            sender: EnvelopeAddress(mailbox: "alice@example.com"),
            recipients: recipients.map { EnvelopeAddress(mailbox: $0) }, content: RawMessage(parsing: Array(text.utf8)))
    }

    static func run(_ message: MilterMessage, _ classifier: any MailClassifier) async throws -> TestRun {
        try await TestRun.run(
            message: message, classifier: classifier, options: ProtocolOptions(), classifierTimeout: .seconds(60))
    }

    @Test func theClassifierSeesThePostfixProfilesMacros() async throws {
        let classifier = Recorder()
        let run = try await Self.run(Self.message(), classifier)
        let mail = try #require(classifier.seen.first)
        #expect(mail.queueID == TestRun.queueID)
        #expect(mail.macros["v"] == MTAProfile.postfix.mtaVersion)
        #expect(mail.macros["daemon_addr"] == MTAIdentity().daemonAddress)
        // MilterClient's SMTP client, as milter-replay's: not the local host, which milters often let through.
        #expect(mail.macros["_"] == "client.example.test [192.0.2.1]")
        #expect(mail.client.hostname == "client.example.test" && mail.client.address == "192.0.2.1")
        #expect(mail.helo == "client.example.test")
        #expect(mail.recipients.map { $0.macros["rcpt_addr"] } == ["bob@example.org"])
        #expect(run.text() == "4TESTQUEUEID: ACCEPT (recorded)")
        #expect(run.exitStatus == 0)
    }

    @Test func aRefusedRecipientIsListedAndTheMessageGoesOn() async throws {
        let run = try await Self.run(Self.message(recipients: ["bad@example.org", "bob@example.org"]), BadRecipients())
        #expect(run.outcome.verdict == "accept")
        #expect(run.outcome.stage == .endOfMessage)
        #expect(
            run.text()
                == "4TESTQUEUEID: ACCEPT (ok)\n  refused recipient <bad@example.org>: reply 550 5.1.1 no such user")
    }

    /// Header fields past the memory budget get a tempfail, by design: the run names the budget as
    /// its reason (it printed `TEMPFAIL (decided at BODYEOB)` and no reason anywhere).
    @Test func aTempfailForTheMemoryBudgetSaysSo() async throws {
        let field = "X-Filler: " + String(repeating: "y", count: 1_000) + "\r\n"
        let text = "From: Alice <alice@example.com>\r\n" + String(repeating: field, count: 100) + "\r\nHi\r\n"
        let message = MilterMessage(
            sender: EnvelopeAddress(mailbox: "alice@example.com"),
            recipients: [EnvelopeAddress(mailbox: "bob@example.org")],
            content: RawMessage(parsing: Array(text.utf8)))
        let classifier = Recorder()
        let run = try await TestRun.run(
            message: message, classifier: classifier, options: ProtocolOptions(), classifierTimeout: .seconds(60),
            memory: MemoryBudget(perConnection: 64 << 10))
        #expect(run.outcome.verdict == "tempfail")
        #expect(classifier.seen.isEmpty)
        #expect(
            run.reason?.hasPrefix("memory budget reached: the transaction gets a tempfail") == true, "\(run.text())")
        #expect(
            run.text().hasPrefix(
                "4TESTQUEUEID: TEMPFAIL (memory budget reached: the transaction gets a tempfail; budget=65536 "),
            "\(run.text())")
        // The warning's queue id is the line's first word already.
        #expect(!run.text().contains("queue-id"), "\(run.text())")
        let json = try run.json()
        #expect(json.contains("\"reason\" : \"memory budget reached"), "\(json)")
    }

    /// The budget's tempfail is told by its flag, not by its reason: a classifier's decision with the same
    /// reason and a warning beside it kept its reason, which `test` replaced with the warning.
    @Test func aClassifierReasonLikeTheBudgetsIsTheClassifiers() async throws {
        let run = try await Self.run(Self.message(), BudgetLikeReason())
        #expect(run.outcome.verdict == "accept")
        #expect(run.reason == "memory budget reached")
        let warning = "modification dropped: the MTA did not grant it; action=CHGHDRS"
        #expect(run.warnings == [warning])
        #expect(
            run.text() == "4TESTQUEUEID: ACCEPT (memory budget reached)\n  warning: \(warning)", "\(run.text())")
    }

    /// A header field over the milter's frame limit: `test` printed `at BODYEOB: I/O error ... Connection
    /// reset by peer` and exited 2; the cause, the refused HEADER frame, was in the server's log only.
    /// A field whose HEADER payload is one byte over the limit only with its leading space, which goes with it since
    /// the milter asks for HDR_LEADSPC: the check counted it without and let the frame go to a milter that refused it.
    @Test func theLeadingSpaceCountsInTheFrameLimit() async throws {
        // "Subject", NUL, a space and 65,526 bytes, NUL: 65,536 bytes, one over.
        let error = await #expect(throws: FrameTooLarge.self) {
            _ = try await Self.run(Self.message(subject: String(repeating: "x", count: 65_526)), Recorder())
        }
        #expect(error?.size == 65_536 && error?.limit == 65_535)
    }

    @Test func aHeaderFieldOverTheFrameLimitIsNamedAndNotSent() async throws {
        let classifier = Recorder()
        let error = await #expect(throws: FrameTooLarge.self) {
            _ = try await Self.run(Self.message(subject: String(repeating: "x", count: 200_000)), classifier)
        }
        #expect(error?.frame == "the HEADER frame of header field 3 'Subject'")
        // HDR_LEADSPC agreed: the value goes with its leading space.
        #expect(error?.size == 200_010 && error?.limit == 65_535)
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("'Subject' (value not shown)") && text.contains("200010 bytes"), "\(text)")
        #expect(text.contains("--max-frame-size") && !text.contains("xxx"), "\(text)")
        #expect(classifier.seen.isEmpty)
        // Within the limit it goes through.
        let run = try await Self.run(Self.message(subject: String(repeating: "x", count: 65_000)), classifier)
        #expect(run.outcome.verdict == "accept")
    }

    /// A modification the classifier did not ask the MTA for is dropped, as by the daemon: `test`
    /// printed `ACCEPT (chg)` with neither the change nor the daemon's warning.
    @Test func aModificationNotGrantedIsAWarning() async throws {
        let run = try await Self.run(Self.message(), UngrantedChange())
        #expect(run.outcome.modifications.isEmpty)
        #expect(run.reason == "chg")
        let warning = "modification dropped: the MTA did not grant it; action=CHGHDRS"
        #expect(run.warnings == [warning])
        #expect(run.text() == "4TESTQUEUEID: ACCEPT (chg)\n  warning: \(warning)", "\(run.text())")
        let json = try run.json()
        #expect(json.contains("\"warnings\" : [\n    \"\(warning)\"\n  ]"), "\(json)")
    }

    /// A REPLYCODE's `%` goes doubled on the wire; `test` printed `"550 5.7.1 100%% spam"` where the SMTP
    /// client (and milter-replay) sees `100% spam`.
    @Test func aReplyIsShownAsTheSMTPClientSeesIt() async throws {
        let run = try await Self.run(Self.message(), PercentReplies())
        #expect(run.replyText == "550 5.7.1 100% spam")
        #expect(run.text() == "4TESTQUEUEID: REJECT (pct) \"550 5.7.1 100% spam\"", "\(run.text())")
        #expect(try run.json().contains("\"reply\" : \"550 5.7.1 100% spam\""))
        let recipients = try await Self.run(
            Self.message(recipients: ["bad@example.org", "bob@example.org"]), PercentReplies())
        #expect(recipients.text().contains("refused recipient <bad@example.org>: reply 550 5.1.1 50% gone"))
        #expect(try recipients.json().contains("\"<bad@example.org>\" : \"reply 550 5.1.1 50% gone\""))
    }

    /// A failing early check refuses the recipient with the failure verdict, a tempfail: `test` said
    /// REJECT and exited 1 because Postfix then ends the transaction with its 554 "no valid recipients".
    @Test func anEarlyCheckFailingForEveryRecipientIsATempfail() async throws {
        let run = try await Self.run(Self.message(recipients: ["throwrcpt@example.org"]), ThrowingRecipientCheck())
        #expect(run.outcome.verdict == "tempfail")
        #expect(run.exitStatus == 3)
        #expect(run.outcome.stage == .recipient)
        #expect(run.text().hasPrefix("4TESTQUEUEID: TEMPFAIL ("), "\(run.text())")
        #expect(run.text().contains("\"451 4.3.0 Try again later\""), "\(run.text())")
    }

    @Test func refusingEveryRecipientRejectsAtRCPT() async throws {
        let run = try await Self.run(
            Self.message(recipients: ["bad@example.org", "bad2@example.org"]), BadRecipients())
        #expect(run.exitStatus == 1)
        #expect(run.outcome.stage == .recipient)
        #expect(run.text().hasPrefix("4TESTQUEUEID: REJECT (decided at RCPT) \"550 5.1.1 no such user\"\n"))
    }
}

/// An early check at RCPT that throws for `throw` recipients: the failure verdict (tempfail) refuses them.
struct ThrowingRecipientCheck: MailClassifier {
    struct Failure: Error {}

    var needs: ClassifierNeeds { ClassifierNeeds(earlyChecks: [.recipient]) }

    func check(_ event: EarlyEvent, _ mail: MailInfo) throws -> ReferenceMilter.Verdict? {
        guard case .recipient(let entry) = event, entry.address.hasPrefix("throw") else { return nil }
        throw Failure()
    }

    func classify(_ mail: MailInfo) -> Decision { .accept("ok") }
}

/// Records every message it sees and accepts it.
final class Recorder: MailClassifier {
    private let box = NIOLockedValueBox<[MailInfo]>([])

    var seen: [MailInfo] { box.withLockedValue { $0 } }

    func classify(_ mail: MailInfo) -> Decision {
        box.withLockedValue { $0.append(mail) }
        return .accept("recorded")
    }
}

/// Refuses recipients whose address starts with "bad" at RCPT; accepts the message.
struct BadRecipients: MailClassifier {
    var needs: ClassifierNeeds { ClassifierNeeds(earlyChecks: [.recipient]) }

    func check(_ event: EarlyEvent, _ mail: MailInfo) -> ReferenceMilter.Verdict? {
        guard case .recipient(let entry) = event, entry.address.hasPrefix("bad") else { return nil }
        return .reject(.sanitized(code: 550, enhancedCode: "5.1.1", text: "no such user"))
    }

    func classify(_ mail: MailInfo) -> Decision { .accept("ok") }
}

/// Asks the MTA only for adding header fields, then changes one.
struct UngrantedChange: MailClassifier {
    var needs: ClassifierNeeds { ClassifierNeeds(actions: [.addHeaders]) }

    func classify(_ mail: MailInfo) -> Decision {
        Decision.accept("chg").adding(.changeHeader(name: "Subject", occurrence: 1, value: "changed"))
    }
}

/// Accepts with the reason the server gives its memory budget's tempfail, and a change the MTA was not
/// asked for (a warning).
struct BudgetLikeReason: MailClassifier {
    var needs: ClassifierNeeds { ClassifierNeeds(actions: [.addHeaders]) }

    func classify(_ mail: MailInfo) -> Decision {
        Decision.accept("memory budget reached").adding(
            .changeHeader(name: "Subject", occurrence: 1, value: "changed"))
    }
}

/// Refuses `bad` recipients and rejects the message, each with a `%` in the text for the client.
struct PercentReplies: MailClassifier {
    var needs: ClassifierNeeds { ClassifierNeeds(earlyChecks: [.recipient]) }

    func check(_ event: EarlyEvent, _ mail: MailInfo) -> ReferenceMilter.Verdict? {
        guard case .recipient(let entry) = event, entry.address.hasPrefix("bad") else { return nil }
        return .reject(.sanitized(code: 550, enhancedCode: "5.1.1", text: "50% gone"))
    }

    func classify(_ mail: MailInfo) -> Decision {
        mail.reject("pct", client: "100% spam")
    }
}
