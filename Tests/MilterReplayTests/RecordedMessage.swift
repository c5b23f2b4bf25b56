import MailMessage
import MilterClient
import MilterProtocol
import Testing

/// What the `milter-replay record` tests send through the recorder.
enum RecordedMessage {
    /// One message through the recorder listening at `host`:`port`; the milter behind it must accept it.
    static func send(host: String = "127.0.0.1", port: Int) async throws {
        let connection = try await MilterClientConnection.open(to: .inet(host: host, port: port))
        await connection.connect()
        await connection.helo()
        let message = MilterMessage(
            sender: EnvelopeAddress(mailbox: "a@example.com"), recipients: [EnvelopeAddress(mailbox: "b@example.org")],
            content: RawMessage(parsing: Array("Subject: x\r\n\r\nbody\r\n".utf8)))
        let result = await connection.send(message)
        #expect(result.verdict == .accept && result.findings.isEmpty, "\(result.findings)")
        #expect(await connection.quit().isEmpty)
    }
}
