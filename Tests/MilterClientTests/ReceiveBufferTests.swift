import Testing

@testable import MilterClient

/// `ReceiveBuffer` keeps the bytes not consumed yet in order when it moves them to its start or grows.
@Suite struct ReceiveBufferTests {
    static func fill(_ buffer: inout ReceiveBuffer, _ bytes: [UInt8], minimum: Int) {
        let written = buffer.write(minimumWritableBytes: minimum) { room in
            #expect(room.count >= minimum)
            let count = min(room.count, bytes.count)
            room.copyBytes(from: bytes[..<count])
            return count
        }
        #expect(written == bytes.count)
    }

    static func unread(_ buffer: ReceiveBuffer) -> [UInt8] { Array(buffer.readable) }

    @Test func unreadBytesSurviveAMoveAndAGrowth() {
        var buffer = ReceiveBuffer()
        #expect(buffer.readableBytes == 0)
        #expect(Self.unread(buffer).isEmpty)
        let first = (0..<100).map { UInt8($0) }
        Self.fill(&buffer, first, minimum: 128)
        #expect(buffer.capacity == 128)
        buffer.moveReaderIndex(forwardBy: 90)
        // 28 bytes of room after the unread 10: the 10 move to the start for 100 more.
        let second = (100..<200).map { UInt8($0) }
        Self.fill(&buffer, second, minimum: 100)
        #expect(buffer.capacity == 128)
        #expect(Self.unread(buffer) == Array(first[90...]) + second)
        // 18 bytes of room, 23 after a move: it grows, keeping what is unread.
        buffer.moveReaderIndex(forwardBy: 5)
        let third = [UInt8](repeating: 7, count: 300)
        Self.fill(&buffer, third, minimum: 300)
        #expect(buffer.capacity == 512)
        #expect(Self.unread(buffer) == Array(first[95...]) + second + third)
    }

    @Test func consumingEverythingStartsOverAtTheStart() {
        var buffer = ReceiveBuffer()
        Self.fill(&buffer, [1, 2, 3], minimum: 16)
        buffer.moveReaderIndex(forwardBy: 3)
        #expect(buffer.readableBytes == 0)
        // All 16 bytes of room are there again, without growing.
        Self.fill(&buffer, [UInt8](repeating: 9, count: 16), minimum: 16)
        #expect(buffer.capacity == 16)
        #expect(Self.unread(buffer) == [UInt8](repeating: 9, count: 16))
    }

    @Test func aFailedReadAddsNothing() {
        var buffer = ReceiveBuffer()
        Self.fill(&buffer, [1, 2], minimum: 16)
        let result = buffer.write(minimumWritableBytes: 16) { _ in -1 }
        #expect(result == -1)
        #expect(Self.unread(buffer) == [1, 2])
    }
}
