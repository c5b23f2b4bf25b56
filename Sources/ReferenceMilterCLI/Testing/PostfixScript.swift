import MailMessage
import MilterProtocol
import NIOCore
import ReferenceMilter

/// The commands Postfix sends a milter for one message, in order, with Postfix's default macros.
struct PostfixScript {
    /// The envelope and the client the script claims.
    struct Envelope {
        var sender: String
        var recipients: [String]
        var queueID = "4TESTQUEUEID"
        var clientName = "localhost"
        var clientAddress = "127.0.0.1"
        var helo = "localhost"
    }

    /// Commands before the message: OPTNEG, CONNECT and HELO with their macros.
    static func opening(_ envelope: Envelope) -> [MilterCommand] {
        [
            .optionNegotiation(Negotiation.postfixOffer()),
            macro(.connect, [("j", "mx.reference.test"), ("{daemon_name}", "reference-test"), ("v", "Postfix")]),
            .connect(
                ConnectInfo(
                    hostname: MilterString(envelope.clientName),
                    address: .inet(address: MilterString(envelope.clientAddress), port: 40_000))),
            macro(.helo, []),
            .helo(MilterString(envelope.helo)),
        ]
    }

    /// MAIL, then one RCPT per recipient, each after its macros.
    static func envelopeCommands(_ envelope: Envelope) -> [MilterCommand] {
        var commands: [MilterCommand] = [
            macro(.mail, [("i", envelope.queueID), ("{mail_addr}", envelope.sender)]),
            .mail(EnvelopeAddress(address: MilterString("<\(envelope.sender)>"))),
        ]
        for recipient in envelope.recipients {
            commands.append(macro(.recipient, [("i", envelope.queueID), ("{rcpt_addr}", recipient)]))
            commands.append(.recipient(EnvelopeAddress(address: MilterString("<\(recipient)>"))))
        }
        return commands
    }

    /// DATA, the header fields, EOH, the body in 65535-byte chunks and end of message.
    static func content(_ message: RawMessage, queueID: String) -> [MilterCommand] {
        var commands: [MilterCommand] = [macro(.data, [("i", queueID)]), .data]
        for field in message.headerFields {
            let value = field.valueWithoutLeadingSpace.filter { $0 != 0x0D }
            commands.append(.header(HeaderField(name: MilterString(field.name), value: MilterString(bytes: value))))
        }
        commands.append(macro(.endOfHeaders, [("i", queueID)]))
        commands.append(.endOfHeaders)
        let body = message.bodyWithCRLF
        for start in stride(from: 0, to: body.count, by: 65_535) {
            commands.append(.body(ByteBuffer(bytes: body[start..<min(start + 65_535, body.count)])))
        }
        commands.append(macro(.endOfMessage, [("i", queueID)]))
        commands.append(.endOfMessage(ByteBuffer()))
        return commands
    }

    private static func macro(_ stage: MilterCommand.ID, _ pairs: [(String, String)]) -> MilterCommand {
        .macro(
            MacroDefinition(
                stage: stage, macros: pairs.map { .init(name: MilterString($0.0), value: MilterString($0.1)) }))
    }
}
