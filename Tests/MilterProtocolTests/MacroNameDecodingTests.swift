import MilterProtocol
import NIOCore
import Testing

/// MACRO names are taken from a table of the common ones where they match it, and copied otherwise: either way
/// each decodes to its own bytes, including names of a known one's length or a known one's prefix.
@Suite struct MacroNameDecodingTests {
    @Test func knownAndUnknownNamesDecodeToTheirOwnBytes() throws {
        let names = [
            "j", "{daemon_name}", "_", "i", "{mail_addr}", "{mail_adds}", "{mail_ad}", "x", "{client_connections}",
            "{client_connectionz}", "{a_name_longer_than_any_known_one}", "", "{Mail_addr}",
        ]
        let definition = MacroDefinition(
            stage: .mail,
            macros: names.map { MacroDefinition.Macro(name: MilterString($0), value: MilterString("v-\($0)")) })
        var buffer = ByteBuffer()
        try buffer.writeMilterCommand(.macro(definition))
        var decoder = MilterCommandDecoder()
        guard case .macro(let decoded)? = try decoder.decode(buffer: &buffer) else {
            Issue.record("not decoded as MACRO")
            return
        }
        #expect(decoded.macros.map(\.name.string) == names)
        #expect(decoded.macros.map(\.value.string) == names.map { "v-\($0)" })
        #expect(decoded == definition)
    }
}
