import MailMessage
import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

/// A message's wire form is worked out once and reused; it must follow every edit of the message,
/// and a client told not to build the resulting message must still report everything else.
@Suite struct WireFormTests {
    @Test func editsAfterCreationGoOutAsEdited() async throws {
        var message = Fixtures.message
        message.body = Array("first\nsecond".utf8)
        message.headerFields = [RawHeaderField(name: "Subject", value: " edited\n\tfolded")]
        let (result, milter, findings) = Fixtures.simulateRun(Scripts.wellBehaved(), message: message)
        #expect(findings.isEmpty)
        #expect(result.verdict == .accept)
        let bodies = milter.commands.compactMap { if case .body(let chunk) = $0 { chunk } else { nil } }
        #expect(bodies == [ByteBuffer(string: "first\r\nsecond\r\n")])
        let headers = milter.commands.compactMap { if case .header(let field) = $0 { field } else { nil } }
        #expect(headers == [HeaderField(name: "Subject", value: "edited\n\tfolded")])
        #expect(result.resultingMessage?.body == Array("first\r\nsecond\r\n".utf8))
    }

    @Test func withoutTheResultingMessageEverythingElseIsReported() async throws {
        var configuration = Fixtures.configuration()
        configuration.buildsResultingMessage = false
        let add = MilterReply.addHeader(HeaderField(name: "X-Seen", value: "yes"))
        let (result, milter, findings) = Fixtures.simulateRun(
            Scripts.wellBehaved(endOfMessage: [.reply(add), .reply(.accept)]), configuration: configuration)
        #expect(findings.isEmpty)
        #expect(result.verdict == .accept)
        #expect(result.modifications == [add])
        #expect(result.resultingMessage == nil)
        #expect(milter.eventIDs.contains(.body))
    }

    /// The frames encoded once with the message go out for every transaction that sends it,
    /// byte for byte what the commands encode to (the body with its CRLF, in 65,535-byte chunks).
    @Test func aMessageSentAgainSendsTheSameFrames() async throws {
        var message = Fixtures.message
        message.body = Array(repeating: UInt8(ascii: "x"), count: 70_000)
        message.headerFields = [
            RawHeaderField(name: "Subject", value: " one\n\ttwo"), RawHeaderField(name: "X-Empty", value: ""),
        ]
        let milter = SimulatedMilter(script: Scripts.wellBehaved())
        let connection = Fixtures.open(milter)
        let results = [connection.send(message), connection.send(message)]
        connection.quit()
        #expect(results.map(\.verdict) == [.accept, .accept])
        #expect(results.allSatisfy { $0.findings.isEmpty })
        let content = milter.commands.filter { [.header, .body].contains($0.id) }
        #expect(content.count == 2 * 4)
        #expect(Array(content[0..<4]) == Array(content[4..<8]))
        var body = ByteBuffer(repeating: UInt8(ascii: "x"), count: 70_000)
        body.writeString("\r\n")
        #expect(
            Array(content[0..<4]) == [
                .header(HeaderField(name: "Subject", value: "one\n\ttwo")),
                .header(HeaderField(name: "X-Empty", value: "")),
                .body(body.getSlice(at: 0, length: 65_535)!),
                .body(body.getSlice(at: 65_535, length: 70_002 - 65_535)!),
            ])
    }
}
