import MailMessage
import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// Replies the protocol forbids but Postfix's `milter8_event` takes, from a scripted milter, through the real
/// Postfix and through MilterClient's Postfix profile: both send the milter the same events and deliver the
/// same message; the profile reports a warning.
@Suite("Postfix and MilterClient on SKIP before the body and unnegotiated modifications")
struct PostfixLenientReplyInteropTests {
    /// SKIP at the first RCPT and at the first header, ADDHEADER though only CHGHEADER was negotiated.
    static let script = Scripts.wellBehaved(
        answer: Scripts.answer(actions: [.changeHeaders]),
        endOfMessage: [.reply(.addHeader(HeaderField(name: "X-Added", value: "yes"))), .reply(.accept)]
    ) { command in
        switch command {
        case .recipient(let rcpt) where rcpt.address.string.contains("first"): [.reply(.skip)]
        case .header(let field) where field.name == "From": [.reply(.skip)]
        default: nil
        }
    }

    static let recipients = ["first@example.org", "second@example.org"]

    @Test func postfixAndTheProfileAgree() async throws {
        guard Interop.require(.postfix) else { return }
        let milter = try await ScriptedMilter(script: Self.script)
        do {
            let delivered = try await Postfix.with(milters: ["inet:127.0.0.1:\(milter.port)"]) { postfix in
                let sent = try await postfix.send(
                    SMTPMessage(from: "a@example.com", to: Self.recipients, subject: "hi"))
                #expect(sent.final?.code == 250)
                return try await postfix.delivered(count: 1)
            }
            let byPostfix = milter.eventIDs
            #expect(delivered.first?.rcptTo == Self.recipients.map { "<\($0)>" })
            #expect(delivered.first?.header(named: "X-Added") == "yes")

            let connection = try await MilterClientConnection.open(to: .inet(host: "127.0.0.1", port: milter.port))
            await connection.connect()
            await connection.helo()
            let message = MilterMessage(
                sender: EnvelopeAddress(mailbox: "a@example.com"),
                recipients: Self.recipients.map { EnvelopeAddress(mailbox: $0) },
                content: RawMessage(parsing: Array("From: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n".utf8)))
            let simulated = await connection.send(message)
            await connection.quit()
            let byProfile = Array(milter.eventIDs.dropFirst(byPostfix.count))

            for events in [byPostfix, byProfile] {
                #expect(events.filter { $0 == .recipient }.count == 1, "\(events)")
                #expect(events.filter { $0 == .header }.count == 1, "\(events)")
                #expect(events.contains(.endOfHeaders) && events.contains(.body) && events.contains(.endOfMessage))
            }
            #expect(simulated.verdict == .accept)
            #expect(simulated.resultingMessage?.recipients == Self.recipients.map { "<\($0)>" })
            #expect(simulated.resultingMessage?.headerFields.contains { $0.name == "X-Added" } == true)
            let codes = ["replyNotAllowedHere", "replyNotAllowedHere", "modificationNotNegotiated"]
            #expect(simulated.findings.map(\.code) == codes)
            #expect(simulated.findings.allSatisfy { $0.severity == .warning })
            await milter.stop()
        } catch {
            await milter.stop()
            throw error
        }
    }
}
