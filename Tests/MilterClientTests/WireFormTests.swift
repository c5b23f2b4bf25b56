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
}
