import MailMessage
import MilterClient
import MilterProtocol
import MilterTestSupport

/// The MAIL and RCPT macros of the same envelopes from a real MTA and from MilterClient: mixed-case domains, a
/// bare local part, a quoted one, the null sender and the MTA's own domain.
enum EnvelopeMacros {
    static let envelopes: [(from: String, to: [String])] = [
        ("a@Example.COM", ["b@Example.ORG", "Bob", "\"Q U\"@Example.org"]),
        ("", ["postmaster", "c@mta.interop.test"]),
    ]

    /// ``envelopes`` as SMTP messages.
    static var messages: [SMTPMessage] { envelopes.map { SMTPMessage(from: $0.from, to: $0.to, subject: "hi") } }

    /// The MAIL and RCPT MACRO packets of the connections opened during `body`, in order, each as name to value
    /// (queue IDs as `*`: they differ between the two MTAs, not their presence).
    static func macros(
        of milter: ScriptedMilter, during body: () async throws -> Void
    ) async throws
        -> [[String: String]]
    {
        let before = milter.acceptedConnections
        _ = try await milter.events(during: body)
        let stages = [MilterCommand.ID.mail.rawValue, MilterCommand.ID.recipient.rawValue]
        return milter.commandsByConnection(from: before).flatMap { $0 }.compactMap { command in
            guard case .macro(let definition) = command, stages.contains(definition.stage) else { return nil }
            return Dictionary(
                definition.macros.map { ($0.name.string, $0.name.string == "i" ? "*" : $0.value.string) },
                uniquingKeysWith: { $1 })
        }
    }

    /// ``envelopes`` through MilterClient on one connection.
    static func play(port: Int, _ configuration: MilterClientConfiguration) async throws {
        let connection = try await MilterClientConnection.open(
            to: .inet(host: "127.0.0.1", port: port), configuration: configuration)
        _ = await connection.connect()
        _ = await connection.helo("client.interop.test")
        for envelope in envelopes {
            _ = await connection.send(
                MilterMessage(
                    sender: EnvelopeAddress(mailbox: envelope.from),
                    recipients: envelope.to.map { EnvelopeAddress(mailbox: $0) },
                    content: RawMessage(parsing: Array("Subject: hi\r\n\r\nbody\r\n".utf8))))
        }
        await connection.quit()
    }
}
