import MilterProtocol
import NIOCore
import Testing

@testable import ReferenceMilter

/// The framer answers repeated MACRO packets and HEADER frames from its memos in its one look at a frame: the
/// commands are those decoding gives, whatever the cut of the reads, and an error after such frames is placed
/// at its own frame.
@Suite struct CommandFramerMemoTests {
    private static func framer(_ limits: MilterFrameLimits = .commands) -> MilterCommandFramer {
        MilterCommandFramer(limits: limits, watchdog: ConnectionWatchdog(timeouts: ConnectionTimeouts()))
    }

    private static let commands: [MilterCommand] = [
        .macro(MacroDefinition(stage: .header, macros: [.init(name: "i", value: "Q1")])),
        .header(HeaderField(name: "Subject", value: "one")),
        .macro(MacroDefinition(stage: .header, macros: [.init(name: "i", value: "Q1")])),
        .header(HeaderField(name: "Subject", value: "two")),
        .macro(MacroDefinition(stage: .header, macros: [.init(name: "i", value: "Q2")])),
        .header(HeaderField(name: "To", value: "")),
        .macro(MacroDefinition(stage: .endOfHeaders, macros: [.init(name: "i", value: "Q2")])),
        .endOfHeaders,
        .macro(MacroDefinition(stage: .header, macros: [.init(name: "i", value: "Q2")])),
        .header(HeaderField(name: "Subject", value: "three")),
    ]

    private static func stream(_ commands: [MilterCommand]) throws -> ByteBuffer {
        var stream = ByteBuffer()
        for command in commands { _ = try stream.writeMilterCommand(command) }
        return stream
    }

    @Test(arguments: [1, 2, 5, 7, 1_000])
    func memoFramesGiveWhatDecodingGivesWhateverTheReads(readSize: Int) throws {
        var framer = Self.framer()
        var stream = try Self.stream(Self.commands)
        var decoded: [MilterCommand] = []
        while stream.readableBytes > 0 {
            framer.append(stream.readSlice(length: min(readSize, stream.readableBytes))!)
            while let command = try framer.next() { decoded.append(command) }
            framer.finishRead()
        }
        #expect(decoded == Self.commands)
    }

    @Test func aRefusedFrameAfterMemoFramesIsPlacedAtItsOwnOffset() throws {
        for (bad, code) in [
            ([0, 0, 0, 0, 0x4C] as [UInt8], MilterProtocolError.Code.zeroLengthFrame),
            ([0, 0, 0x10, 0, 0x4C], .frameTooLarge),
        ] {
            var framer = Self.framer(MilterFrameLimits(maximumPayloadLength: 1_000))
            var stream = try Self.stream(Self.commands)
            let offset = stream.readableBytes
            stream.writeBytes(bad)
            framer.append(stream)
            var decoded = 0
            let error = #expect(throws: MilterProtocolError.self) {
                while try framer.next() != nil { decoded += 1 }
            }
            #expect(decoded == Self.commands.count)
            #expect(error?.code == code)
            #expect(error?.streamOffset == offset)
        }
    }

    @Test func aMalformedPayloadAfterMemoFramesIsPlacedAtItsOwnOffset() throws {
        var framer = Self.framer()
        var stream = try Self.stream(Self.commands)
        let offset = stream.readableBytes
        // A HEADER frame without the zero after its value: the memo leaves it to the decoder, which refuses it.
        stream.writeBytes([0, 0, 0, 4, 0x4C, 0x41, 0, 0x42])
        framer.append(stream)
        var decoded = 0
        let error = #expect(throws: MilterProtocolError.self) {
            while try framer.next() != nil { decoded += 1 }
        }
        #expect(decoded == Self.commands.count)
        #expect(error?.streamOffset == offset)
        #expect(error?.commandByte == MilterCommand.ID.header.rawValue)
    }
}
