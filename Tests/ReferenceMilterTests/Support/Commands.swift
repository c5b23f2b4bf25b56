import MilterProtocol
import NIOCore

/// Short builders for the commands of the tests.
enum Cmd {
    static let offer = MilterCommand.optionNegotiation(Negotiation.postfixOffer())

    /// Postfix's offer without HDR_LEADSPC, as from an MTA that does not know it (Sendmail before 8.14).
    static let offerWithoutLeadingSpace: MilterCommand = {
        var offer = Negotiation.postfixOffer()
        offer.protocolFlags.remove(.headerLeadingSpace)
        return .optionNegotiation(offer)
    }()

    /// A command as the MTA writes it: its frame.
    static func bytes(_ command: MilterCommand) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        try buffer.writeMilterCommand(command)
        return buffer
    }

    static func offer(_ version: MilterVersion) -> MilterCommand {
        .optionNegotiation(Negotiation.postfixOffer(version: version))
    }

    static func macros(_ stage: MilterCommand.ID, _ pairs: [String: String]) -> MilterCommand {
        .macro(
            MacroDefinition(
                stage: stage,
                macros: pairs.sorted { $0.key < $1.key }.map {
                    .init(name: MilterString($0.key), value: MilterString($0.value))
                }))
    }

    static let connect = MilterCommand.connect(
        ConnectInfo(hostname: "client.example", address: .inet(address: "192.0.2.7", port: 40_000)))
    static let helo = MilterCommand.helo("client.example")

    static func mail(_ address: String, _ arguments: [MilterString] = []) -> MilterCommand {
        .mail(EnvelopeAddress(address: MilterString("<\(address)>"), arguments: arguments))
    }

    static func rcpt(_ address: String) -> MilterCommand {
        .recipient(EnvelopeAddress(address: MilterString("<\(address)>")))
    }

    static func header(_ name: String, _ value: String) -> MilterCommand {
        .header(HeaderField(name: MilterString(name), value: MilterString(value)))
    }

    static func body(_ text: String) -> MilterCommand { .body(ByteBuffer(string: text)) }

    static let eom = MilterCommand.endOfMessage(ByteBuffer())

    /// A whole message after negotiation: CONNECT, HELO, MAIL, RCPTs, headers, body, EOM.
    static func message(
        subject: String, recipients: [String] = ["bob@example.org"], body: String = "Hello\r\n",
        queueID: String = "Q1"
    ) -> [MilterCommand] {
        var commands: [MilterCommand] = [macros(.mail, ["i": queueID]), mail("alice@example.com")]
        for recipient in recipients { commands += [macros(.recipient, ["{rcpt_addr}": recipient]), rcpt(recipient)] }
        commands += [
            .data, header("From", "Alice <alice@example.com>"), header("Subject", subject), .endOfHeaders,
            self.body(body), eom,
        ]
        return commands
    }
}
