import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// SHUTDOWN (`4`) and CONN_FAIL (`f`) as replies. mfdef.h calls SHUTDOWN "internal to MTA": Sendmail
/// only ever sets it as its own state, and no `milter.c` reply switch has a case for either, so from
/// a milter both are a "bogus response". Postfix's `milter8_event` takes SHUTDOWN (421 and
/// disconnect) and calls CONN_FAIL an "unexpected filter response".
@Suite struct ShutdownReplyTests {
    static let sendmail = Fixtures.configuration(profile: .sendmail)

    static func answering(_ step: MilterCommand.ID, with reply: MilterReply) -> ScriptedMilter.Script {
        Scripts.wellBehaved(endOfMessage: step == .endOfMessage ? [.reply(reply)] : [.reply(.accept)]) {
            $0.id == step ? [.reply(reply)] : nil
        }
    }

    /// `milter_send_command` logs the bogus response and calls `milter_error` (socket closed, no
    /// QUIT) but leaves the command's state at CONTINUE: MAIL goes on, RCPT gets the failure action.
    @Test(arguments: [MilterReply.shutdown, .connectionFailure])
    func sendmailLetsMailThroughThenTempfails(reply: MilterReply) async throws {
        let (result, milter, _) = Fixtures.simulateRun(Self.answering(.mail, with: reply), configuration: Self.sendmail)
        let mail = try #require(result.steps.first { $0.command == .mail })
        #expect(mail.smtpReply == nil)
        #expect(mail.finding?.code == "replyNotAllowedHere")
        #expect(mail.finding?.protocolError?.commandByte == reply.id.rawValue)
        #expect(mail.finding?.description.contains("\(reply.id) after MAIL") == true)
        let recipient = try #require(result.steps.first { $0.command == .recipient })
        #expect(recipient.delivery == .notSent && recipient.smtpReply == "451 4.3.2 Please try again later")
        #expect(result.verdict == .tempfail)
        #expect(milter.eventIDs == [.optionNegotiation, .connect, .helo, .mail])
    }

    /// The failure action at HELO is a TEMPFAIL state (`milter_helo`, `MILTER_CHECK_ERROR`), which `srvrsmtp.c`
    /// answers with 250 to HELO and `MSG_TEMPFAIL` to MAIL (so did Sendmail 8.17.1.9).
    @Test(arguments: [MilterReply.shutdown, .connectionFailure])
    func sendmailLetsConnectAndHeloThroughThenRefusesMail(reply: MilterReply) async throws {
        let milter = SimulatedMilter(script: Self.answering(.connect, with: reply))
        let connection = SimulatedConnection(milter: milter, configuration: Self.sendmail)
        let connect = connection.connect()
        let helo = connection.helo()
        let result = connection.send(Fixtures.message)
        connection.quit()
        #expect(connect.smtpReply == nil && connect.finding?.step == .connect)
        #expect(connection.connectionFindings.map(\.code) == ["replyNotAllowedHere"])
        #expect(helo.delivery == .notSent && helo.smtpReply == nil)
        #expect(result.verdict == .tempfail && result.smtpReply == "451 4.3.2 Please try again later")
        #expect(milter.eventIDs == [.optionNegotiation, .connect])
    }

    /// At end of message (`milter_data`) the failure action applies to the message at once.
    @Test(arguments: [MilterReply.shutdown, .connectionFailure])
    func sendmailTempfailsAtEndOfMessage(reply: MilterReply) async throws {
        let (result, milter, _) = Fixtures.simulateRun(
            Self.answering(.endOfMessage, with: reply), configuration: Self.sendmail)
        #expect(result.findings.map(\.code) == ["replyNotAllowedHere"])
        #expect(result.findings.first?.step == .endOfMessage)
        #expect(result.verdict == .tempfail && result.smtpReply == "451 4.3.2 Please try again later")
        #expect(milter.eventIDs.last == .endOfMessage)
    }

    /// Any reply byte Sendmail does not know is the same bogus response.
    @Test func sendmailLetsMailThroughAfterAnUnknownReplyByte() async throws {
        let (result, milter, _) = Fixtures.simulateRun(
            Scripts.wellBehaved { $0.id == .mail ? [.raw([0, 0, 0, 1, UInt8(ascii: "Z")])] : nil },
            configuration: Self.sendmail)
        let mail = try #require(result.steps.first { $0.command == .mail })
        #expect(mail.smtpReply == nil && mail.finding?.code == "unknownReply")
        #expect(result.verdict == .tempfail)
        #expect(milter.eventIDs == [.optionNegotiation, .connect, .helo, .mail])
    }

    @Test func postfixShutsDownAtMail() async throws {
        let (result, milter, _) = Fixtures.simulateRun(Self.answering(.mail, with: .shutdown))
        #expect(result.findings.isEmpty)
        #expect(result.verdict == .tempfail)
        #expect(result.smtpReply == MTAProfile.postfix.replies.shutdown)
        #expect(milter.eventIDs == [.optionNegotiation, .connect, .helo, .mail])
    }

    /// `milter8_comm_error`: the default action answers MAIL itself.
    @Test(arguments: [MilterReply.connectionFailure, .addHeader(HeaderField(name: "X-Early", value: "1"))])
    func postfixRefusesMailAtOnce(reply: MilterReply) async throws {
        let (result, milter, _) = Fixtures.simulateRun(Self.answering(.mail, with: reply))
        let mail = try #require(result.steps.first { $0.command == .mail })
        #expect(mail.finding?.protocolError?.commandByte == reply.id.rawValue)
        #expect(mail.smtpReply == "451 4.7.1 Service unavailable - try again later")
        #expect(result.verdict == .tempfail)
        #expect(milter.eventIDs == [.optionNegotiation, .connect, .helo, .mail])
    }
}
