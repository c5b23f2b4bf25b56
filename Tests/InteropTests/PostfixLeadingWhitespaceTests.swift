import Foundation
import MilterCapture
import MilterProtocol
import Testing

/// What real Postfix sends a milter for a message whose first line starts with white space: milter-replay
/// (`CorpusLoader`) sends such a file the same way.
@Suite("Postfix: a message starting with white space")
struct PostfixLeadingWhitespaceTests {
    /// The HEADER names and the BODY bytes of the first message in a capture.
    static func headersAndBody(in file: URL) throws -> (headers: [String], body: String) {
        let (sessions, _) = try RecordProxyTests.sessions(in: file)
        var headers: [String] = []
        var body: [UInt8] = []
        for frame in sessions.flatMap(\.frames) {
            guard case .command(let command) = frame.decoded else { continue }
            switch command {
            case .header(let field): headers.append(field.name.string)
            case .body(let chunk): body += chunk.readableBytesView
            default: break
            }
        }
        return (headers, String(decoding: body, as: UTF8.self))
    }

    /// Postfix's smtpd puts an empty line before a first DATA line that starts with a space or tab, so the message
    /// has no header fields of its own and the whole of it is body. Postfix does not show its own Received: field to
    /// the milter; the Message-Id, Date and From fields its cleanup adds to a message without them, for a client on a
    /// local address only (`local_header_rewrite_clients`, `permit_inet_interfaces` by default), are what the milter
    /// gets as HEADER: with the rewrite turned off, as for the remote client milter-replay plays, it gets none.
    @Test(arguments: [
        ([String](), ["Message-Id", "Date", "From"]), (["local_header_rewrite_clients="], [String]()),
    ])
    func theWholeMessageIsBody(settings: [String], headers expected: [String]) async throws {
        guard Interop.require(.postfix, .libmilter) else { return }
        try await CMilter.with(mode: .headers) { milter in
            try await withPeer(try await RecordingProxy.start(upstream: "127.0.0.1:\(milter.port)")) { proxy in
                try await Postfix.with(milters: ["inet:127.0.0.1:\(proxy.port)"], settings: settings) { postfix in
                    let result = try await postfix.send(
                        SMTPMessage(
                            from: "sender@example.com", to: ["rcpt@example.org"],
                            data: " leading\n\tmore\nFrom: <sender@example.com>\nSubject: hidden\n\nbody line\n"))
                    #expect(result.final?.code == 250)
                }
                _ = await proxy.finish()
                let (headers, body) = try Self.headersAndBody(in: proxy.file)
                #expect(headers == expected)
                #expect(
                    body == " leading\r\n\tmore\r\nFrom: <sender@example.com>\r\nSubject: hidden\r\n\r\nbody line\r\n")
            }
        }
    }
}
