import MailMessage
import MilterClient
import MilterProtocol
import NIOCore
import ReferenceMilter

/// Opens a `MilterClientConnection` to an embedded milter, playing `profile` at `version`.
func openClient(
    _ milter: EmbeddedMilter, profile: MTAProfile = .postfix, version: MilterVersion = .v6,
    client: SMTPClient = SMTPClient()
) async throws -> MilterClientConnection {
    // Generous waits: the 2-core test machine is shared, and a timeout here would be a false finding.
    let timeouts = MilterTimeouts(all: .seconds(120))
    let configuration = MilterClientConfiguration(profile: profile, version: version, timeouts: timeouts)
    return try await MilterClientConnection.open(
        to: .inet(host: "127.0.0.1", port: milter.port), configuration: configuration, client: client)
}

/// Builds test messages for the MilterClient-driven server tests.
enum TestMail {
    /// A body of `lines` CRLF lines of 60 characters each, numbered so that a prefix is recognizable.
    static func body(lines: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(lines * 62)
        for index in 0..<lines {
            let number = String(index)
            out += Array((String(repeating: "0", count: 8 - number.count) + number).utf8)
            out += Array(repeating: UInt8(ascii: "x"), count: 52)
            out += [0x0D, 0x0A]
        }
        return out
    }

    /// A message from alice to `recipients` with the given subject, extra header fields and body.
    static func message(
        subject: String = "hello", recipients: [EnvelopeAddress] = [EnvelopeAddress(mailbox: "bob@example.org")],
        sender: EnvelopeAddress = EnvelopeAddress(mailbox: "alice@example.com"),
        extraFields: [RawHeaderField] = [], body: [UInt8] = Array("Hi\r\n".utf8)
    ) -> MilterMessage {
        let fields =
            [
                RawHeaderField(name: "From", value: " Alice <alice@example.com>"),
                RawHeaderField(name: "To", value: " bob@example.org"),
                RawHeaderField(name: "Subject", value: " \(subject)"),
            ] + extraFields
        return MilterMessage(sender: sender, recipients: recipients, headerFields: fields, body: body)
    }

    /// Every finding of a transaction and of the connection so far.
    static func findings(_ result: TransactionResult, _ connection: MilterClientConnection) async -> [Finding] {
        result.findings + (await connection.connectionFindings)
    }
}

extension RawHeaderField {
    /// The value without surrounding spaces and tabs, as a string.
    var trimmedValue: String {
        let blank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        let bytes = valueBytes.drop(while: blank)
        return String(decoding: bytes.reversed().drop(while: blank).reversed(), as: UTF8.self)
    }
}
