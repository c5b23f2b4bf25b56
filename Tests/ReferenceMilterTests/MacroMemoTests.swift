import MilterProtocol
import NIOCore
import Testing

@testable import ReferenceMilter

/// The memos that spare decoding and converting repeated MACRO packets give what decoding gives.
@Suite struct MacroMemoTests {
    private static func payload(_ stage: MilterCommand.ID, _ pairs: [(String, String)]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(stage.rawValue)
        for (name, value) in pairs {
            buffer.writeString(name)
            buffer.writeInteger(UInt8(0))
            buffer.writeString(value)
            buffer.writeInteger(UInt8(0))
        }
        return buffer
    }

    private static func definition(_ payload: ByteBuffer) throws -> MacroDefinition {
        guard case .macro(let definition) = try MilterCommand(frame: MilterFrame(command: 0x44, payload: payload))
        else { throw MilterProtocolError(.malformedPayload) }
        return definition
    }

    @Test func aPacketIsTakenFromThePacketMemoOnlyWhenItIsTheLastOfItsStageByteForByte() throws {
        var memo = MacroPacketMemo()
        let q1 = Self.payload(.header, [("i", "Q1")])
        #expect(memo.definition(of: q1) == nil)
        memo.remember(q1, as: try Self.definition(q1))
        #expect(memo.definition(of: q1) == (try Self.definition(q1)))
        #expect(memo.definition(of: Self.payload(.header, [("i", "Q2")])) == nil)
        #expect(memo.definition(of: Self.payload(.body, [("i", "Q1")])) == nil)
        let q2 = Self.payload(.header, [("i", "Q2")])
        memo.remember(q2, as: try Self.definition(q2))
        #expect(memo.definition(of: q1) == nil)
        #expect(memo.definition(of: q2) == (try Self.definition(q2)))
        // Stages the session refuses, and large packets, are never remembered.
        var unknown = ByteBuffer(bytes: [0x5A, 0x69, 0, 0x31, 0])
        memo.remember(unknown, as: MacroDefinition(stage: 0x5A, macros: [.init(name: "i", value: "1")]))
        #expect(memo.definition(of: unknown) == nil)
        unknown = Self.payload(.mail, [("i", String(repeating: "x", count: MacroPacketMemo.largestPayload))])
        memo.remember(unknown, as: try Self.definition(unknown))
        #expect(memo.definition(of: unknown) == nil)
    }

    @Test func conversionsAreSharedAcrossStagesAndTheOldestMakesRoom() throws {
        var conversions = MacroConversions(largestCost: 256)
        let header = try Self.definition(Self.payload(.header, [("i", "Q1"), ("{x}", "y")]))
        let body = try Self.definition(Self.payload(.body, [("i", "Q1"), ("{x}", "y")]))
        let expected: MacroValues = ["i": "Q1", "x": "y"]
        #expect(conversions.values(of: header).values == expected)
        #expect(conversions.values(of: body).values == expected)
        #expect(conversions.values(of: body).cost == MemoryCost.macros(expected))
        for index in 0...MacroConversions.capacity {
            let other = try Self.definition(Self.payload(.header, [("i", "Q\(index + 2)")]))
            #expect(conversions.values(of: other).values == ["i": "Q\(index + 2)"])
        }
        #expect(conversions.values(of: header).values == expected)
        let large = try Self.definition(Self.payload(.mail, [("i", String(repeating: "x", count: 300))]))
        #expect(conversions.values(of: large).values == ["i": String(repeating: "x", count: 300)])
    }

    /// The same pairs under several stages, as Postfix sends `i`: each stage holds them, and a
    /// changed packet in one stage changes only that stage.
    @Test func theSamePairsUnderSeveralStagesReachEveryStage() throws {
        var driver = SessionDriver()
        let pairs = ["i": "Q1"]
        try driver.feed([Cmd.offer, Cmd.connect, Cmd.helo, Cmd.mail("a@example.com"), Cmd.rcpt("b@example.org")])
        try driver.feed([Cmd.macros(.data, pairs), .data, Cmd.macros(.header, pairs), Cmd.header("A", "1")])
        try driver.feed([Cmd.macros(.endOfHeaders, pairs), .endOfHeaders, Cmd.macros(.endOfMessage, ["i": "Q9"])])
        try driver.feed([Cmd.eom])
        let macros = try #require(driver.classified.first?.macros)
        #expect(macros.stage(.data) == pairs)
        #expect(macros.stage(.header) == pairs)
        #expect(macros.stage(.endOfHeaders) == pairs)
        #expect(macros["i"] == "Q9")
    }
}
