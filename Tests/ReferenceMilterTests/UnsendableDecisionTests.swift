import Logging
import MailMessage
import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import ReferenceMilter

/// Answers by subject with a decision the protocol cannot carry as it is: a NUL in a header value
/// ("nul-header") or in the quarantine reason ("nul-quarantine"); accepts the rest.
struct NULDecisionClassifier: MailClassifier {
    func classify(_ mail: MailInfo) -> Decision {
        switch mail.subject {
        case "nul-header": .accept("tagged", modifications: [.addHeader(name: "X-Tag", value: "private\0value")])
        case "nul-quarantine": .quarantine("held\0private")
        default: .accept("fine")
        }
    }
}

/// Decisions whose replies the protocol refuses as they come: the modifications are put in an order
/// it accepts, and what still cannot be sent becomes the failure verdict; the connection goes on.
@Suite struct UnsendableDecisionTests {
    @Test func bodyReplacementsGoTogetherAndHeaderEditsKeepTheirOrder() throws {
        var driver = SessionDriver()
        driver.decision = .accept(
            "two rules",
            modifications: [
                .replaceBody(Array("one\r\n".utf8)), .addHeader(name: "X-A", value: "1"),
                .replaceBody(Array("two\r\n".utf8)), .addHeader(name: "X-B", value: "2"),
            ])
        try driver.feed([Cmd.offer, Cmd.connect, Cmd.helo] + Cmd.message(subject: "x"))
        #expect(
            Array(driver.replies.dropFirst()) == [
                .replaceBody(ByteBuffer(string: "one\r\n")), .replaceBody(ByteBuffer(string: "two\r\n")),
                .addHeader(HeaderField(name: "X-A", value: " 1")), .addHeader(HeaderField(name: "X-B", value: " 2")),
                .accept,
            ])
    }

    @Test(.tags(.integration)) func twoRulesThatEachReplaceTheBodyAndAddAHeaderAreBothApplied() async throws {
        let rules = try RulesClassifier(
            text: #"""
                always => replace-body "one\n", add-header "X-A" "1"
                always => replace-body "two\n", add-header "X-B" "2", accept
                """#)
        let milter = try await startMilter(rules)
        let connection = try await openClient(milter)
        await connection.connect()
        await connection.helo()
        for subject in ["first", "second"] {
            let result = await connection.send(TestMail.message(subject: subject))
            #expect(result.verdict == .accept, "\(subject)")
            #expect(await TestMail.findings(result, connection).isEmpty, "\(subject)")
            let queued = try #require(result.resultingMessage)
            #expect(queued.body == Array("one\r\ntwo\r\n".utf8))
            #expect(queued.headerFields.suffix(2).map { "\($0.name):\($0.trimmedValue)" } == ["X-A:1", "X-B:2"])
        }
        #expect(await connection.quit().isEmpty)
        await milter.shutdown()
    }

    @Test(.tags(.integration)) func aNULInAHeaderValueOrQuarantineReasonGetsTheFailureVerdict() async throws {
        let observed = NIOLockedValueBox<[Verdict]>([])
        let logged = try await LoggedMilter.start(
            NULDecisionClassifier(),
            observer: { _, decision in observed.withLockedValue { $0.append(decision.verdict) } })
        let milter = logged.milter
        let connection = try await openClient(milter)
        await connection.connect()
        await connection.helo()
        for subject in ["nul-header", "nul-quarantine"] {
            let result = await connection.send(TestMail.message(subject: subject))
            #expect(result.verdict == .tempfail, "\(subject)")
            #expect(result.smtpReply?.hasPrefix("451 4.3.0") == true, "\(result.smtpReply ?? "nil")")
            #expect(result.modifications.isEmpty && result.quarantineReason == nil, "\(subject)")
            #expect(await TestMail.findings(result, connection).isEmpty, "\(subject)")
            // The connection goes on.
            let next = await connection.send(TestMail.message(subject: "next"))
            #expect(next.verdict == .accept)
            #expect(await TestMail.findings(next, connection).isEmpty)
        }
        #expect(await connection.quit().isEmpty)
        await milter.shutdown()

        let failure = ProtocolOptions().failureVerdict
        #expect(observed.withLockedValue { $0 } == [failure, .accept, failure, .accept])
        let log = logged.log
        let decisions = log.split(separator: "\n").filter { $0.contains("TEMPFAIL (") }
        #expect(decisions.count == 2, "\(log)")
        #expect(decisions.allSatisfy { $0.contains("cannot be sent: embeddedNUL") }, "\(log)")
        #expect(log.components(separatedBy: "the failure verdict goes instead").count == 3, "\(log)")
        #expect(!log.contains("ACCEPT (tagged)") && !log.contains("QUARANTINE ("), "\(log)")
        #expect(!log.contains("private"), "personal data in the log: \(log)")
    }
}
