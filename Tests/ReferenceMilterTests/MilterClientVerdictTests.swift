import MailMessage
import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOConcurrencyHelpers
import Testing

@testable import ReferenceMilter

/// Refuses a client named "blocked.example", a sender starting with "spammer" and recipients
/// starting with "bad"; accepts the rest and records every message it classifies.
final class EarlyRefusalClassifier: MailClassifier {
    private let box = NIOLockedValueBox<[MailInfo]>([])

    var seen: [MailInfo] { box.withLockedValue { $0 } }

    var needs: ClassifierNeeds { ClassifierNeeds(earlyChecks: [.connect, .helo, .mail, .recipient]) }

    func check(_ event: EarlyEvent, _ mail: MailInfo) -> ReferenceMilter.Verdict? {
        switch event {
        case .connect(let client) where client.hostname == "blocked.example":
            .reject(.sanitized(code: 554, enhancedCode: "5.7.1", text: "client blocked"))
        case .helo("slow"): .tempfail(.sanitized(code: 421, enhancedCode: "4.3.2", text: "helo later"))
        case .mail(let entry) where entry.address.hasPrefix("spammer"):
            .reject(.sanitized(code: 550, enhancedCode: "5.7.1", text: "sender refused"))
        case .recipient(let entry) where entry.address.hasPrefix("bad"):
            .reject(.sanitized(code: 550, enhancedCode: "5.1.1", text: "no such user"))
        default: nil
        }
    }

    func classify(_ mail: MailInfo) -> Decision {
        box.withLockedValue { $0.append(mail) }
        return .accept("ok")
    }
}

/// Accepts recipients starting with "vip" at RCPT; quarantines a HELO of "suspect" and a sender
/// starting with "held"; accepts every message at end of message, adding a header.
final class EarlyAcceptQuarantineClassifier: MailClassifier {
    private let box = NIOLockedValueBox<Int>(0)

    var classified: Int { box.withLockedValue { $0 } }

    var needs: ClassifierNeeds { ClassifierNeeds(earlyChecks: [.helo, .mail, .recipient]) }

    func check(_ event: EarlyEvent, _ mail: MailInfo) -> ReferenceMilter.Verdict? {
        switch event {
        case .helo("suspect"): .quarantine("suspect client")
        case .mail(let entry) where entry.address.hasPrefix("held"): .quarantine("held sender")
        case .recipient(let entry) where entry.address.hasPrefix("vip"): .accept
        default: nil
        }
    }

    func classify(_ mail: MailInfo) -> Decision {
        box.withLockedValue { $0 += 1 }
        return .accept("ok", modifications: [.addHeader(name: "X-Checked", value: "yes")])
    }
}

/// Every verdict at end of message and at each early stage, through the fake MTA.
@Suite(.tags(.integration)) struct MilterClientVerdictTests {
    static let decisions: [(Decision, Disposition, String?)] = [
        (.accept("fine"), .accept, nil),
        (.reject("bad", client: "go away now"), .reject, "550 5.7.1 go away now"),
        (.tempfail("busy", client: "come back later"), .tempfail, "451 4.7.1 come back later"),
        (.discard("dropped"), .discard, nil),
        (.quarantine("held for review"), .quarantine, nil),
    ]

    @Test(arguments: ["postfix", "sendmail"], [MilterVersion.v2, .v4, .v6])
    func verdictAtEndOfMessage(profile: String, version: MilterVersion) async throws {
        for (decision, verdict, reply) in Self.decisions {
            try await checkVerdict(decision, verdict, reply, try #require(MTAProfile.named(profile)), version)
        }
    }

    private func checkVerdict(
        _ decision: Decision, _ verdict: Disposition, _ reply: String?, _ profile: MTAProfile,
        _ version: MilterVersion
    ) async throws {
        let milter = try await startMilter(RecordingClassifier(decision))
        let connection = try await openClient(milter, profile: profile, version: version)
        await connection.connect()
        await connection.helo()
        let result = await connection.send(TestMail.message())
        #expect(result.verdict == verdict)
        #expect(await TestMail.findings(result, connection).isEmpty)
        if let reply { #expect(result.smtpReply?.hasPrefix(reply) == true, "\(result.smtpReply ?? "nil")") }
        if case .quarantine(let reason) = decision.verdict { #expect(result.quarantineReason == reason) }
        // The connection goes on after any verdict.
        let next = await connection.send(TestMail.message(subject: "next"))
        #expect(next.verdict == verdict)
        #expect(await TestMail.findings(next, connection).isEmpty)
        #expect(await connection.quit().isEmpty)
        await milter.shutdown()
    }

    @Test(arguments: ["postfix", "sendmail"], [MilterVersion.v2, .v4, .v6])
    func refusedRecipientDoesNotEndTheTransaction(profile: String, version: MilterVersion) async throws {
        let classifier = EarlyRefusalClassifier()
        let milter = try await startMilter(classifier)
        let connection = try await openClient(milter, profile: try #require(.named(profile)), version: version)
        await connection.connect()
        await connection.helo()
        let recipients = ["bob@example.org", "bad@example.org", "carol@example.org"].map {
            EnvelopeAddress(mailbox: $0)
        }
        let result = await connection.send(TestMail.message(recipients: recipients))
        #expect(result.verdict == .accept)
        #expect(await TestMail.findings(result, connection).isEmpty)
        #expect(result.rejectedRecipients.map(\.recipient.mailbox) == ["bad@example.org"])
        // Sendmail's usrerr writes the recipient into a 550.
        let text = profile == "sendmail" ? "550 5.1.1 <bad@example.org>... no such user" : "550 5.1.1 no such user"
        #expect(result.rejectedRecipients.first?.reply.hasPrefix(text) == true)
        #expect(result.resultingMessage?.recipients == ["<bob@example.org>", "<carol@example.org>"])
        #expect(await connection.quit().isEmpty)
        await milter.shutdown()
        #expect(classifier.seen.map { $0.recipients.map(\.address) } == [["bob@example.org", "carol@example.org"]])
    }

    /// ACCEPT at RCPT accepts that recipient only: the message is still classified for all. An early
    /// QUARANTINE (the protocol has none before end of message) is applied there: for the message at
    /// MAIL, for every message of the session at HELO.
    @Test(arguments: ["postfix", "sendmail"])
    func earlyAcceptAndQuarantineKeepTheMessageClassified(profile: String) async throws {
        let classifier = EarlyAcceptQuarantineClassifier()
        let milter = try await startMilter(classifier)
        let connection = try await openClient(milter, profile: try #require(.named(profile)))
        await connection.connect()
        await connection.helo()
        let recipients = ["vip@example.org", "carol@example.org"].map { EnvelopeAddress(mailbox: $0) }
        let accepted = await connection.send(TestMail.message(recipients: recipients))
        #expect(accepted.verdict == .accept)
        #expect(await TestMail.findings(accepted, connection).isEmpty)
        #expect(accepted.resultingMessage?.recipients == ["<vip@example.org>", "<carol@example.org>"])
        #expect(accepted.modifications.count == 1, "the message was classified: \(accepted.modifications)")
        let held = await connection.send(TestMail.message(sender: EnvelopeAddress(mailbox: "held@example.com")))
        #expect(held.verdict == .quarantine)
        #expect(held.quarantineReason == "held sender")
        #expect(held.modifications.count == 1)
        // The quarantine was the message's, not the session's.
        #expect(await connection.send(TestMail.message()).verdict == .accept)
        #expect(await connection.quit().isEmpty)
        #expect(classifier.classified == 3)

        let suspect = try await openClient(milter, profile: try #require(.named(profile)))
        await suspect.connect()
        await suspect.helo("suspect")
        for _ in 0..<2 {
            let result = await suspect.send(TestMail.message())
            #expect(result.verdict == .quarantine)
            #expect(result.quarantineReason == "suspect client")
            #expect(await TestMail.findings(result, suspect).isEmpty)
        }
        #expect(await suspect.quit().isEmpty)
        await milter.shutdown()
    }

    @Test(arguments: ["postfix", "sendmail"], [MilterVersion.v2, .v4, .v6])
    func refusedSenderEndsOnlyThatTransaction(profile: String, version: MilterVersion) async throws {
        let milter = try await startMilter(EarlyRefusalClassifier())
        let connection = try await openClient(milter, profile: try #require(.named(profile)), version: version)
        await connection.connect()
        await connection.helo()
        let refused = await connection.send(
            TestMail.message(sender: EnvelopeAddress(mailbox: "spammer@example.com")))
        #expect(refused.verdict == .reject)
        // Sendmail's usrerr writes the sender into a 550.
        let text =
            profile == "sendmail" ? "550 5.7.1 <spammer@example.com>... sender refused" : "550 5.7.1 sender refused"
        #expect(refused.smtpReply?.hasPrefix(text) == true, "\(refused.smtpReply ?? "nil")")
        #expect(await TestMail.findings(refused, connection).isEmpty)
        let next = await connection.send(TestMail.message())
        #expect(next.verdict == .accept)
        #expect(await TestMail.findings(next, connection).isEmpty)
        #expect(await connection.quit().isEmpty)
        await milter.shutdown()
    }

    @Test(
        arguments: [
            (SMTPClient(hostname: "blocked.example"), "client.example.test", "554 5.7.1 client blocked", .reject),
            (SMTPClient(), "slow", "421 4.3.2 helo later", .tempfail),
        ] as [(SMTPClient, String, String, Disposition)])
    func refusedConnectionOrHelo(
        client: SMTPClient, helo: String, reply: String, verdict: Disposition
    ) async throws {
        let milter = try await startMilter(EarlyRefusalClassifier())
        let connection = try await openClient(milter, client: client)
        let records = [await connection.connect(), await connection.helo(helo)]
        // Postfix greets after a 5xx at CONNECT with its own 554 and answers MAIL with the milter's text; a 421 at
        // HELO goes to HELO and ends the session (smtpd.c).
        #expect(records.contains { $0.smtpReply != nil })
        let result = await connection.send(TestMail.message())
        #expect(result.smtpReply?.hasPrefix(reply) == true, "\(result.smtpReply ?? "nil")")
        #expect(result.verdict == verdict, "every message of a refused connection is refused")
        #expect(await TestMail.findings(result, connection).isEmpty)
        #expect(await connection.quit().isEmpty)
        await milter.shutdown()
    }
}
