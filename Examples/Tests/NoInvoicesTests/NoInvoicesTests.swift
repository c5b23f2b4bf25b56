import MailMessage
import MilterClient
import NoInvoices
import ReferenceMilter
import Testing

/// Puts a message through the NoInvoices milter the way Postfix would, and returns the result.
func run(_ eml: String) async throws -> TransactionResult {
    let milter = try await EmbeddedMilter.start(classifier: NoInvoices())  // 127.0.0.1, a free port
    let connection = try await MilterClientConnection.open(
        to: .inet(host: milter.host, port: milter.port), configuration: MilterClientConfiguration(profile: .postfix))
    await connection.connect()
    await connection.helo()
    let message = MilterMessage(
        sender: .init(mailbox: "alice@example.com"), recipients: [.init(mailbox: "bob@example.org")],
        content: RawMessage(parsing: Array(eml.utf8)))
    let result = await connection.send(message)
    #expect(result.findings.isEmpty)  // the milter kept to the protocol
    _ = await connection.quit()
    await milter.shutdown()
    return result
}

@Test func anInvoiceWithAnExecutableIsRejected() async throws {
    let result = try await run(
        """
        From: Alice <alice@example.com>
        Subject: Your invoice
        Content-Type: multipart/mixed; boundary="b"

        --b
        Content-Type: text/plain

        See the attachment.
        --b
        Content-Type: application/octet-stream
        Content-Disposition: attachment; filename="invoice.exe"

        MZ
        --b--

        """)
    #expect(result.verdict == .reject)
    #expect(result.smtpReply == "550 5.7.1 No executables, please")
}

@Test func aCleanMessageIsAcceptedAndMarked() async throws {
    let result = try await run("From: Alice <alice@example.com>\nSubject: Lunch\n\nAt noon?\n")
    #expect(result.verdict == .accept)
    let added = result.resultingMessage?.headerFields.filter { $0.hasName("X-Checked") }
    #expect(added?.map(\.value) == [" yes"])  // the MTA writes "X-Checked: yes"
}
