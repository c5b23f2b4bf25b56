import MailMessage
import MilterClient
import MilterProtocol
import Testing

/// MilterClient against Debian's opendkim in signing mode: the resulting message carries the
/// DKIM-Signature header that OpenDKIM inserted.
@Suite("MilterClient against OpenDKIM")
struct MilterClientOpenDKIMTests {
    @Test func resultingMessageIsSigned() async throws {
        guard Interop.require(.opendkim) else { return }
        let text = """
            From: Alice <alice@example.com>\r
            To: Bob <bob@example.org>\r
            Subject: signed by OpenDKIM\r
            Date: Sat, 28 Nov 2026 00:00:00 +0000\r
            Message-ID: <dkim-test@example.com>\r
            \r
            Hello.\r

            """
        let message = MilterMessage(
            sender: EnvelopeAddress(mailbox: "alice@example.com"),
            recipients: [EnvelopeAddress(mailbox: "bob@example.org")],
            content: RawMessage(parsing: Array(text.utf8)))
        let client = MilterClient.SMTPClient(
            hostname: "localhost", address: "127.0.0.1", port: 40_000, helo: "localhost")
        try await OpenDKIM.with { dkim in
            let connection = try await MilterClientConnection.open(
                to: .inet(host: "127.0.0.1", port: dkim.port), client: client)
            await connection.connect()
            await connection.helo()
            let result = await connection.send(message)
            await connection.quit()
            let connectionFindings = await connection.connectionFindings
            #expect(connectionFindings.isEmpty, "\(connectionFindings)")
            #expect(result.findings.isEmpty, "\(result.findings)")
            #expect(result.verdict == .accept)
            let signature = try #require(result.resultingMessage?.headerFields.first { $0.name == "DKIM-Signature" })
            #expect(signature.value.contains("d=example.com"))
            #expect(signature.value.contains("s=test"))
        }
    }
}
