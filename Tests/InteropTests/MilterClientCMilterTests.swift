import MailMessage
import MilterClient
import MilterProtocol
import Testing

/// MilterClient (the fake Postfix) against libmilter: every verdict and every modification of
/// interop/cmilter, with no finding. libmilter is the reference for what a correct milter sends.
@Suite("MilterClient against libmilter")
struct MilterClientCMilterTests {
    static func message(headers: [(String, String)], to: [String] = ["bob@example.net"]) -> MilterMessage {
        var text = "From: Alice <alice@example.org>\r\nTo: Bob <bob@example.net>\r\nSubject: original\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\nbody line\r\n"
        return MilterMessage(
            sender: EnvelopeAddress(mailbox: "alice@example.org"), recipients: to.map { EnvelopeAddress(mailbox: $0) },
            content: RawMessage(parsing: Array(text.utf8)))
    }

    static func send(
        _ message: MilterMessage, to milter: CMilter, configuration: MilterClientConfiguration = .init(),
        helo: String? = nil
    ) async throws -> (TransactionResult, [Finding]) {
        let connection = try await MilterClientConnection.open(
            to: .inet(host: milter.host, port: milter.port), configuration: configuration)
        await connection.connect()
        await connection.helo(helo)
        let result = await connection.send(message)
        await connection.quit()
        return (result, await connection.connectionFindings)
    }

    @Test(
        arguments: [
            ("accept", Disposition.accept, nil), ("continue", .accept, nil),
            ("reject", .reject, "550 5.7.1 Command rejected"),
            ("tempfail", .tempfail, "451 4.7.1 Service unavailable - try again later"), ("discard", .discard, nil),
            ("quarantine", .quarantine, nil), ("replycode 553 5.7.1 go away", .reject, "553 5.7.1 go away"),
            ("replycode 452 4.3.1 later", .tempfail, "452 4.3.1 later"),
        ] as [(String, Disposition, String?)])
    func verdict(action: String, verdict: Disposition, reply: String?) async throws {
        guard Interop.require(.libmilter) else { return }
        try await CMilter.with(mode: .headers) { milter in
            let (result, findings) = try await Self.send(Self.message(headers: [("X-Test-Action", action)]), to: milter)
            #expect(findings.isEmpty, "\(findings)")
            #expect(result.findings.isEmpty, "\(result.findings)")
            #expect(result.verdict == verdict)
            #expect(result.smtpReply == reply)
            if verdict == .quarantine { #expect(result.quarantineReason == "cmilter quarantine") }
        }
    }

    @Test func everyModification() async throws {
        guard Interop.require(.libmilter) else { return }
        let mods = "progress addheader insheader chgheader delheader addrcpt addrcpt_par delrcpt chgfrom replbody"
        let message = Self.message(
            headers: [("X-Test-Mod", mods), ("X-Test-Delete", "bye")],
            to: ["bob@example.net", "delete-me@example.net"])
        try await CMilter.with(mode: .headers) { milter in
            let (result, findings) = try await Self.send(message, to: milter)
            #expect(findings.isEmpty && result.findings.isEmpty, "\(findings) \(result.findings)")
            #expect(result.verdict == .accept)
            let kinds = result.modifications.map(\.id)
            #expect(
                kinds == [
                    .addHeader, .insertHeader, .changeHeader, .changeHeader, .addRecipient, .addRecipientWithArguments,
                    .deleteRecipient, .changeSender, .replaceBody,
                ])
            let resulting = try #require(result.resultingMessage)
            let names = resulting.headerFields.map(\.name)
            #expect(
                names == ["X-CMilter-Inserted", "Received", "From", "To", "Subject", "X-Test-Mod", "X-CMilter-Added"])
            #expect(resulting.headerFields.first { $0.name == "Subject" }?.value == " changed by cmilter")
            #expect(resulting.sender == "<changed-from@example.org>")
            #expect(resulting.recipients == ["<bob@example.net>", "<added@example.org>", "<added-par@example.org>"])
            #expect(resulting.body == Array("Body replaced by cmilter.\r\n".utf8))
        }
    }

    @Test func envelopeRules() async throws {
        guard Interop.require(.libmilter) else { return }
        try await CMilter.with(mode: .headers) { milter in
            let partly = Self.message(headers: [], to: ["reject-rcpt@example.net", "bob@example.net"])
            let (accepted, _) = try await Self.send(partly, to: milter)
            #expect(accepted.verdict == .accept)
            #expect(accepted.rejectedRecipients.map(\.reply) == ["550 5.1.1 cmilter rejects this recipient"])
            let (helo, heloFindings) = try await Self.send(Self.message(headers: []), to: milter, helo: "reject-helo.x")
            #expect(helo.verdict == .reject)
            #expect(heloFindings.isEmpty)
        }
    }

    @Test(arguments: [MilterVersion.v2, .v3, .v4])
    func olderVersionsOverIPv6(version: MilterVersion) async throws {
        guard Interop.require(.libmilter) else { return }
        let configuration = MilterClientConfiguration(version: version)
        try await CMilter.with(mode: .headers, ipv6: true) { milter in
            let message = Self.message(headers: [("X-Test-Action", "reject")])
            let (result, findings) = try await Self.send(message, to: milter, configuration: configuration)
            #expect(findings.isEmpty && result.findings.isEmpty, "\(findings) \(result.findings)")
            #expect(result.verdict == .reject)
        }
    }

    @Test func sendmailProfile() async throws {
        guard Interop.require(.libmilter) else { return }
        let configuration = MilterClientConfiguration(profile: .sendmail)
        try await CMilter.with(mode: .headers) { milter in
            let message = Self.message(headers: [("X-Test-Action", "quarantine"), ("X-Test-Mod", "addheader")])
            let (result, findings) = try await Self.send(message, to: milter, configuration: configuration)
            #expect(findings.isEmpty && result.findings.isEmpty, "\(findings) \(result.findings)")
            #expect(result.verdict == .quarantine)
            #expect(result.resultingMessage?.headerFields.last?.name == "X-CMilter-Added")
            #expect(!milter.log().contains("cmilter: abort"))
        }
    }
}
