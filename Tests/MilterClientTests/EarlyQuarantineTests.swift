import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// QUARANTINE is meant for end of message. Postfix takes it anywhere (`milter8_event`), with
/// consequences of its own; Sendmail has no case for it before end of message (`milter.c`).
@Suite struct EarlyQuarantineTests {
    static func quarantining(at step: MilterCommand.ID, then final: MilterReply = .continue) -> ScriptedMilter.Script {
        Scripts.wellBehaved { $0.id == step ? [.reply(.quarantine("early")), .reply(final)] : nil }
    }

    static let content: [MilterCommand.ID] = [.header, .header, .header, .header, .endOfHeaders, .body, .endOfMessage]

    /// Postfix keeps the reason as the milter's persistent reply: smtpd sends it no more events of
    /// the SMTP session (RCPT, DATA, the next MAIL…) and holds every message; the cleanup server,
    /// whose copy of the milter has no such reply, still sends it each message's content.
    @Test func postfixAtMailHoldsEveryMessageAndWithholdsTheEnvelope() async throws {
        let connection = Fixtures.simulate(Self.quarantining(at: .mail))
        let first = connection.send(Fixtures.message)
        let second = connection.send(Fixtures.message)
        connection.quit()
        #expect(first.findings.map(\.code) == ["quarantineBeforeEndOfMessage"])
        #expect(first.findings.first?.step == .mail)
        #expect(first.findings.first?.protocolError?.commandByte == UInt8(ascii: "q"))
        #expect(first.verdict == .quarantine && first.quarantineReason == "early")
        #expect(
            first.steps.filter { $0.command == .recipient || $0.command == .data }.allSatisfy {
                $0.delivery == .notSent
            })
        #expect(second.verdict == .quarantine && second.quarantineReason == "early")
        #expect(second.findings.isEmpty)
        let milter = connection.milter
        let handshake: [MilterCommand.ID] = [.optionNegotiation, .connect, .helo]
        // The last ABORT is helo_reset's: the milter stays in the session (MILTER8_STAT_ENVELOPE).
        #expect(
            milter.eventIDs == handshake + [.mail] + Self.content + [.abort] + Self.content + [.abort, .abort, .quit])
        let stages = String(milter.macroPackets.map { Character(Unicode.Scalar($0.stage)) })
        #expect(stages == "CHM" + "LLLLNBE" + "LLLLNBE")
    }

    @Test func postfixAtConnectHoldsTheMessagesAndSendsNoHelo() async throws {
        let connection = Fixtures.simulate(Self.quarantining(at: .connect))
        let result = connection.send(Fixtures.message)
        connection.quit()
        #expect(connection.connectionFindings.map(\.code) == ["quarantineBeforeEndOfMessage"])
        #expect(connection.connectionFindings.first?.step == .connect)
        #expect(result.verdict == .quarantine && result.quarantineReason == "early")
        // The HELO withheld from the milter is smtpd's all the same: helo_reset aborts before QUIT.
        #expect(connection.milter.eventIDs == [.optionNegotiation, .connect] + Self.content + [.abort, .abort, .quit])
    }

    /// The step's own final reply still decides it; the hold stays for the messages after it.
    @Test func postfixRejectAfterQuarantineAtMailRejectsOnlyThatMessage() async throws {
        let connection = Fixtures.simulate(Self.quarantining(at: .mail, then: .reject))
        let first = connection.send(Fixtures.message)
        let second = connection.send(Fixtures.message)
        connection.quit()
        #expect(first.verdict == .reject && first.smtpReply == "550 5.7.1 Command rejected")
        #expect(first.findings.map(\.code) == ["quarantineBeforeEndOfMessage"])
        #expect(second.verdict == .quarantine && second.quarantineReason == "early")
        #expect(!connection.milter.eventIDs.dropFirst(4).contains(.mail))
    }

    /// The hold belongs to the SMTP session: after QUIT_NC the next client's MAIL goes to the milter.
    @Test(.tags(.integration)) func postfixHoldEndsWithTheSMTPSession() async throws {
        let milter = try await ScriptedMilter(script: Self.quarantining(at: .mail))
        let connection = try await Fixtures.open(milter)
        _ = await connection.send(Fixtures.message)
        _ = await connection.quitNewConnection()
        _ = await connection.connect(as: SMTPClient(hostname: "next.example", address: "192.0.2.9", helo: "next"))
        let second = await connection.send(Fixtures.message)
        await connection.quit()
        await milter.stop()
        #expect(second.findings.map(\.code) == ["quarantineBeforeEndOfMessage"])
        let events = milter.eventIDs
        let reuse = try #require(events.firstIndex(of: .quitNewConnection))
        #expect(Array(events[reuse...].prefix(3)) == [.quitNewConnection, .connect, .mail])
    }

    /// In the cleanup server the reason becomes the message's answer: no more content goes to the
    /// milter, not even end of message, and the message is held. The next message is untouched.
    @Test func postfixAtHeaderEndsTheMessageHeld() async throws {
        let connection = Fixtures.simulate(Self.quarantining(at: .header))
        let first = connection.send(Fixtures.message)
        let second = connection.send(Fixtures.message)
        connection.quit()
        #expect(first.findings.map(\.code) == ["quarantineBeforeEndOfMessage"])
        #expect(first.findings.first?.step == .header)
        #expect(first.verdict == .quarantine && first.quarantineReason == "early")
        #expect(first.modifications.isEmpty && first.resultingMessage != nil)
        #expect(second.verdict == .quarantine)
        let transaction: [MilterCommand.ID] = [.mail, .recipient, .recipient, .data, .header, .abort]
        #expect(
            connection.milter.eventIDs == [.optionNegotiation, .connect, .helo] + transaction + transaction + [
                .abort, .quit,
            ])
    }

    @Test(arguments: [MilterReply.reject, .tempfail])
    func postfixVerdictAfterQuarantineAtBodyStands(final: MilterReply) async throws {
        let (result, _, _) = Fixtures.simulateRun(Self.quarantining(at: .body, then: final))
        #expect(result.verdict == (final == .reject ? .reject : .tempfail))
        #expect(result.findings.map(\.code) == ["quarantineBeforeEndOfMessage"])
    }

    /// Sendmail: "returned bogus response" (`milter_send_command`), the milter to its error state
    /// (`milter_error`: socket closed, no QUIT). MAIL itself goes on; the failure action (F=T)
    /// answers every later command.
    @Test func sendmailAtMailLetsMailThroughThenTempfails() async throws {
        let (result, milter, _) = Fixtures.simulateRun(
            Self.quarantining(at: .mail), configuration: Fixtures.configuration(profile: .sendmail))
        #expect(result.findings.map(\.code) == ["replyNotAllowedHere"])
        let mail = try #require(result.steps.first { $0.command == .mail })
        #expect(mail.smtpReply == nil && mail.finding?.step == .mail)
        #expect(result.verdict == .tempfail && result.smtpReply == "451 4.3.2 Please try again later")
        #expect(milter.eventIDs == [.optionNegotiation, .connect, .helo, .mail])
    }

    /// At a header (`milter_data`, MILTER_CHECK_RESULTS) the failure action applies at once.
    @Test func sendmailAtHeaderTempfailsTheMessage() async throws {
        let (result, milter, _) = Fixtures.simulateRun(
            Self.quarantining(at: .header), configuration: Fixtures.configuration(profile: .sendmail))
        let header = try #require(result.steps.first { $0.command == .header })
        #expect(header.finding?.code == "replyNotAllowedHere")
        #expect(header.smtpReply == "451 4.3.2 Please try again later")
        #expect(result.verdict == .tempfail)
        #expect(milter.eventIDs.last == .header)
    }
}
