import Foundation
import Testing

/// What real Sendmail sends a milter for a message whose first line starts with white space: as Postfix, no header
/// field and all of it as body (`collect` ends the header at a first line that is no field). milter-replay's
/// `--mta sendmail` sends such a file so too (`LeadingWhiteSpace`).
@Suite("Sendmail: a message starting with white space")
struct SendmailLeadingWhitespaceTests {
    @Test func theWholeMessageIsBody() async throws {
        guard Interop.require(.sendmail, .libmilter) else { return }
        try await CMilter.with(mode: .headers) { milter in
            try await withPeer(try await RecordingProxy.start(upstream: "127.0.0.1:\(milter.port)")) { proxy in
                try await Sendmail.with(milters: ["inet:\(proxy.port)@127.0.0.1"]) { sendmail in
                    let result = try await sendmail.send(
                        SMTPMessage(
                            from: "sender@example.com", to: ["rcpt@example.org"],
                            data: " leading\n\tmore\nFrom: <sender@example.com>\nSubject: hidden\n\nbody line\n"))
                    #expect(result.final?.code == 250)
                }
                _ = await proxy.finish()
                let (headers, body) = try PostfixLeadingWhitespaceTests.headersAndBody(in: proxy.file)
                #expect(headers.isEmpty, "\(headers)")
                #expect(
                    body == " leading\r\n\tmore\r\nFrom: <sender@example.com>\r\nSubject: hidden\r\n\r\nbody line\r\n")
            }
        }
    }
}
