import MilterProtocol
import Testing

@testable import ReferenceMilter

/// Header values go back to their raw form: the space Postfix took off after the colon (unless
/// SMFIP_HDR_LEADSPC), and CR before each bare LF of a fold.
@Suite struct MessageAssemblerTests {
    /// The raw form, byte by byte.
    private static func expected(_ value: String, leadingSpace: Bool) -> [UInt8] {
        var raw: [UInt8] = leadingSpace ? [] : [0x20]
        for byte in value.utf8 {
            if byte == 0x0A && raw.last != 0x0D { raw.append(0x0D) }
            raw.append(byte)
        }
        return raw
    }

    @Test(
        arguments: [
            "plain", "", " leading", "folded\n\tline", "already\r\n\tCRLF", "\n", "a\n\nb", "x\r", "é\n\tü",
        ], [false, true])
    func valuesComeBackRaw(value: String, leadingSpace: Bool) throws {
        var assembler = MessageAssembler(budget: 1 << 20, hardCap: 1 << 20, leadingSpaceIncluded: leadingSpace)
        assembler.add(HeaderField(name: "Subject", value: MilterString(value)))
        let field = try #require(assembler.headerFields.first)
        #expect(field.nameBytes == Array("Subject".utf8))
        #expect(field.valueBytes == Self.expected(value, leadingSpace: leadingSpace))
    }
}
