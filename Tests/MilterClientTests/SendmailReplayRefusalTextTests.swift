import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// A recorded session replayed through the Sendmail profile: the refusal at MAIL or RCPT quotes the address the
/// replayed frame carries, as `usrerr` quotes `e_to` (`err.c`, `fmtmsg`), which `parseaddr` set to the same text
/// `milter_envfrom` and `milter_envrcpt` (`sendmail/milter.c`) send as the command's first argument. The
/// recording is the only source of the address: the connection was given none.
@Suite struct SendmailReplayRefusalTextTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var step: MilterCommand.ID
        var reply: MilterReply
        /// The address as the recorded frame carries it.
        var address: String
        var text: String
        var testDescription: String { "\(reply) at \(step) for \(address)" }
    }

    static let rows: [Row] = [
        Row(
            step: .mail, reply: .replyCode("550 5.1.8 bad sender"), address: "<dora@replayed.example>",
            text: "550 5.1.8 <dora@replayed.example>... bad sender"),
        Row(
            step: .mail, reply: .reject, address: "<dora@replayed.example>",
            text: "550 5.7.1 <dora@replayed.example>... Command rejected"),
        Row(
            step: .recipient, reply: .replyCode("550 5.1.1 User unknown"), address: "<erin@replayed.example>",
            text: "550 5.1.1 <erin@replayed.example>... User unknown"),
        Row(
            step: .recipient, reply: .reject, address: "<erin@replayed.example>",
            text: "550 5.7.1 <erin@replayed.example>... Command rejected"),
        // Quoted as recorded: no angle brackets added where the client gave none.
        Row(
            step: .recipient, reply: .replyCode("550 no"), address: "erin@replayed.example",
            text: "550 5.0.0 erin@replayed.example... no"),
    ]

    static let greeting: [MilterCommand] = [
        .connect(ConnectInfo(hostname: "client.example.org", address: .inet(address: "192.0.2.9", port: 2525))),
        .helo("client.example.org"),
    ]

    @Test(arguments: rows, [false, true])
    func theRefusalQuotesTheReplayedAddress(row: Row, encodedOnce: Bool) throws {
        let milter = SimulatedMilter(script: Scripts.wellBehaved { $0.id == row.step ? [.reply(row.reply)] : nil })
        let connection = SimulatedConnection(milter: milter, configuration: Fixtures.configuration(profile: .sendmail))
        let recorded = EnvelopeAddress(address: MilterString(row.address))
        let sender = row.step == .mail ? recorded : EnvelopeAddress(address: "<fred@replayed.example>")
        let commands = Self.greeting + [.mail(sender), .recipient(recorded)]
        let records = commands.map { command in
            connection.replay(command, frames: encodedOnce ? ReplayFrames(command, macros: []) : nil)
        }
        connection.replay(.quit)
        let refused = try #require(records.first { $0.command == row.step })
        #expect(refused.delivery == .awaited)
        #expect(refused.smtpReply == row.text)
        // A refused MAIL ends the transaction: the RCPT after it gets the same text, unsent.
        if row.step == .mail { #expect(records.last?.smtpReply == row.text && records.last?.delivery == .notSent) }
    }

    /// DATA has no address to quote, in a replay as in a message (`e_to` is no recipient's there).
    @Test func aRefusalAtDataQuotesNoAddress() {
        let milter = SimulatedMilter(script: Scripts.wellBehaved { $0.id == .data ? [.reply(.reject)] : nil })
        let connection = SimulatedConnection(milter: milter, configuration: Fixtures.configuration(profile: .sendmail))
        for command in Self.greeting { connection.replay(command) }
        connection.replay(.mail(EnvelopeAddress(address: "<dora@replayed.example>")))
        connection.replay(.recipient(EnvelopeAddress(address: "<erin@replayed.example>")))
        let data = connection.replay(.data)
        connection.quit()
        #expect(data.smtpReply == "550 5.7.1 Command rejected")
    }
}
