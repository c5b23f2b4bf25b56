import MilterProtocol
import NIOCore
import Testing

@testable import ReferenceMilter

/// The memo of header field names decodes HEADER payloads as the general decoder does, and a
/// repeated name shares the storage of the first.
@Suite struct HeaderNameMemoTests {
    private static func decoded(_ payload: ByteBuffer) throws -> MilterCommand {
        try MilterCommand(frame: MilterFrame(command: MilterCommand.ID.header.rawValue, payload: payload))
    }

    /// The field the memo decodes from `payload`; fails the test if it decodes none.
    private static func field(_ memo: inout HeaderNameMemo, _ payload: ByteBuffer) throws -> HeaderField {
        let field = memo.field(of: payload)
        return try #require(field)
    }

    private static func baseAddress(_ string: MilterString) -> UnsafeRawPointer? {
        string.bytes.withUnsafeBytes { $0.baseAddress }
    }

    @Test func wellFormedFieldsDecodeAsTheGeneralDecoderDecodesThem() throws {
        var memo = HeaderNameMemo()
        for bytes: [UInt8] in [
            Array("Subject\0hello\0".utf8), Array("X-Empty\0\0".utf8), Array("Subject\0line 1\n\tline 2\0".utf8),
            Array("\0value\0".utf8), [0x58, 0, 0xFF, 0xFE, 0],
        ] {
            let payload = ByteBuffer(bytes: bytes)
            let field = try Self.field(&memo, payload)
            #expect(MilterCommand.header(field) == (try Self.decoded(payload)))
        }
    }

    @Test func malformedFieldsAreLeftToTheGeneralDecoder() {
        var memo = HeaderNameMemo()
        for bytes in ["", "Subject", "Subject\0", "Subject\0hello", "Subject\0hello\0extra", "Subject\0a\0\0"] {
            let payload = ByteBuffer(string: bytes)
            let field = memo.field(of: payload)
            #expect(field == nil)
            #expect(throws: MilterProtocolError.self) { try Self.decoded(payload) }
        }
    }

    @Test func aRepeatedNameSharesTheStorageOfTheFirst() throws {
        var memo = HeaderNameMemo()
        let first = try Self.field(&memo, ByteBuffer(string: "Subject\0one\0"))
        _ = try Self.field(&memo, ByteBuffer(string: "From\0a@example.com\0"))
        let second = try Self.field(&memo, ByteBuffer(string: "Subject\0two\0"))
        #expect(second.name == "Subject")
        #expect(second.value == "two")
        #expect(Self.baseAddress(second.name) == Self.baseAddress(first.name))
        // Another case is another name.
        let lower = try Self.field(&memo, ByteBuffer(string: "subject\0three\0"))
        #expect(lower.name == "subject")
        #expect(Self.baseAddress(lower.name) != Self.baseAddress(first.name))
    }

    /// Names in the order of the last message, in another order, and names of one length: each finds its own
    /// kept name, whichever is looked at first.
    @Test func namesInAnyOrderFindTheirOwn() throws {
        var memo = HeaderNameMemo()
        let names = ["Message-ID", "MIME-Version", "Content-Type", "X-Load-Index", "Received-SPF", "To"]
        var first: [String: UnsafeRawPointer?] = [:]
        for name in names {
            first[name] = Self.baseAddress(try Self.field(&memo, ByteBuffer(string: "\(name)\0v\0")).name)
        }
        for order in [names, names.reversed(), names.shuffled(), names + names] {
            for name in order {
                let field = try Self.field(&memo, ByteBuffer(string: "\(name)\0w\0"))
                #expect(field.name == MilterString(name))
                #expect(Self.baseAddress(field.name) == first[name])
            }
        }
        let new = try Self.field(&memo, ByteBuffer(string: "X-Load-Indey\0w\0"))
        #expect(new.name == "X-Load-Indey")
        #expect(
            Self.baseAddress(try Self.field(&memo, ByteBuffer(string: "Received-SPF\0w\0")).name)
                == first["Received-SPF"])
    }

    @Test func theOldestNameMakesRoomAndLongNamesAreNotKept() throws {
        var memo = HeaderNameMemo()
        let first = try Self.field(&memo, ByteBuffer(string: "N0\0v\0"))
        for index in 1...HeaderNameMemo.capacity {
            _ = try Self.field(&memo, ByteBuffer(string: "N\(index)\0v\0"))
        }
        let again = try Self.field(&memo, ByteBuffer(string: "N0\0v\0"))
        #expect(again.name == "N0")
        #expect(Self.baseAddress(again.name) != Self.baseAddress(first.name))
        let long = String(repeating: "X", count: HeaderNameMemo.longestName + 1)
        let one = try Self.field(&memo, ByteBuffer(string: "\(long)\0v\0"))
        let two = try Self.field(&memo, ByteBuffer(string: "\(long)\0v\0"))
        #expect(two.name == one.name)
        #expect(Self.baseAddress(two.name) != Self.baseAddress(one.name))
    }
}
