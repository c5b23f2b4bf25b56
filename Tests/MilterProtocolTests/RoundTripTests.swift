import MilterProtocol
import NIOCore
import Testing

/// Encode, decode, expect equality: over generated values of every case, with fixed seeds.
@Suite struct RoundTripTests {
    private static let seeds: [UInt64] = [1, 2, 3, 0xDEAD_BEEF, 0x5EED_0F_F00D]

    @Test(arguments: seeds)
    func everyCommandRoundTrips(_ seed: UInt64) throws {
        var generator = MessageGenerator(seed: seed)
        let commands = (0..<20).flatMap { _ in MilterCommand.ID.allCases.map { generator.command($0) } }
        var encoder = MilterEncoder()
        let bytes = try encoder.encode(commands: commands)
        #expect(try decodeCommands(Array(bytes.readableBytesView)) == commands)
    }

    @Test(arguments: seeds)
    func everyReplyRoundTrips(_ seed: UInt64) throws {
        var generator = MessageGenerator(seed: seed)
        let replies = (0..<20).flatMap { _ in MilterReply.ID.allCases.map { generator.reply($0) } }
        var encoder = MilterEncoder()
        let bytes = try encoder.encode(replies: replies)
        #expect(try decodeReplies(Array(bytes.readableBytesView)) == replies)
    }

    @Test func emptyStringsRoundTrip() throws {
        let commands: [MilterCommand] = [
            .macro(MacroDefinition(stage: 0, macros: [.init(name: "", value: "")])),
            .connect(ConnectInfo(hostname: "", address: .inet6(address: "", port: 0))),
            .helo(""), .mail(EnvelopeAddress(address: "", arguments: ["", ""])),
            .header(HeaderField(name: "", value: "")),
            .unknown(""),
        ]
        let replies: [MilterReply] = [
            .replyCode(""), .addRecipient(""), .addRecipientWithArguments(EnvelopeChange(address: "", arguments: "")),
            .changeSender(EnvelopeChange(address: "")), .addHeader(HeaderField(name: "", value: "")),
            .optionNegotiation(
                OptionNegotiation(
                    version: .v6, actions: [], protocolFlags: [],
                    symbolLists: [
                        SymbolList(stage: .helo, macros: "")
                    ])),
        ]
        for command in commands { #expect(try decodeCommands(command.encodedBytes) == [command]) }
        for reply in replies { #expect(try decodeReplies(reply.encodedBytes) == [reply]) }
    }

    @Test func fullBodyChunksRoundTrip() throws {
        var rng = SeededGenerator(seed: 65535)
        let chunk = ByteBuffer(bytes: (0..<65535).map { _ in UInt8.random(in: 0...255, using: &rng) })
        #expect(try decodeCommands(MilterCommand.body(chunk).encodedBytes) == [.body(chunk)])
        #expect(try decodeReplies(MilterReply.replaceBody(chunk).encodedBytes) == [.replaceBody(chunk)])
    }

    /// MilterString keeps bytes: invalid UTF-8 survives, and only `string` replaces it.
    @Test func invalidUTF8IsKeptByteForByte() throws {
        let raw: [UInt8] = [0xC3, 0x28, 0xFF, 0xFE, 0x80, 0x41]
        let field = HeaderField(name: "X-Raw", value: MilterString(bytes: raw))
        let decoded = try decodeCommands(MilterCommand.header(field).encodedBytes)
        guard case .header(let back) = decoded.first else {
            Issue.record("expected a HEADER, got \(decoded)")
            return
        }
        #expect(back.value.bytes == raw)
        #expect(back.value.string.unicodeScalars.contains("\u{FFFD}"))
    }

    @Test func stringsWithNULAreRefusedAndLeaveTheBufferUntouched() throws {
        var buffer = ByteBuffer()
        try buffer.writeMilterCommand(.abort)
        let before = buffer
        #expect(throws: MilterProtocolError.self) {
            try buffer.writeMilterCommand(.helo(MilterString(bytes: [0x61, 0, 0x62])))
        }
        #expect(buffer == before)
        let error = capturedError { try buffer.writeMilterReply(.addRecipient(MilterString(bytes: [0]))) }
        #expect(error?.code == .embeddedNUL)
        #expect(buffer == before)
    }

    @Test func optionNegotiationCommandCarriesNoSymbolLists() {
        let command = MilterCommand.optionNegotiation(
            OptionNegotiation(
                version: .v6, actions: .all, protocolFlags: .all,
                symbolLists: [SymbolList(stage: .connect, names: ["j"])]))
        #expect(capturedError { _ = try command.encodedBytes }?.code == .malformedPayload)
    }

    /// The encoder reuses its buffer; each result holds exactly that call's frames.
    @Test func encoderReusesItsBuffer() throws {
        var encoder = MilterEncoder()
        let first = try encoder.encode(commands: [.abort, .quit])
        let second = try encoder.encode(replies: [.continue])
        #expect(Array(first.readableBytesView) == Wire.frame(1, "A") + Wire.frame(1, "Q"))
        #expect(Array(second.readableBytesView) == Wire.frame(1, "c"))
    }
}
