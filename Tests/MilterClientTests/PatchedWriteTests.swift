import Foundation
import NIOCore
import Testing

@testable import MilterClient

/// A recorded segment written with this transaction's queue ID gathered in by `sendmsg`
/// (`BlockingSocket.write(_:patching:with:timeout:)`): the peer reads exactly the patched bytes,
/// whether the socket takes them at once or only part (the rest then goes from a patched copy).
@Suite struct PatchedWriteTests {
    /// `bytes` with `patch` written at the start of each range.
    static func patched(_ bytes: [UInt8], _ ranges: [Range<Int>], _ patch: [UInt8]) -> [UInt8] {
        var out = bytes
        for range in ranges { out.replaceSubrange(range.lowerBound..<range.lowerBound + patch.count, with: patch) }
        return out
    }

    /// Writes `bytes` patched through a connected socket (its send buffer set to `sendBuffer`
    /// bytes if given) and returns what the peer read, on a thread of its own, within 20 s.
    static func roundTrip(
        _ bytes: [UInt8], _ ranges: [Range<Int>], _ patch: [UInt8], sendBuffer: Int32? = nil
    ) throws
        -> (read: [UInt8], outcome: (failure: String?, waited: Bool)?)
    {
        let pair = try BlockingReadTimeoutTests.Pair()
        if var size = sendBuffer {
            setsockopt(pair.socket.descriptor, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        let peer = pair.peer
        let expected = bytes.count
        let box = ReadBox()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            var got: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while got.count < expected {
                let count = chunk.withUnsafeMutableBytes { recv(peer, $0.baseAddress, $0.count, 0) }
                if count <= 0 { break }
                got += chunk[..<count]
            }
            box.value = got
            done.signal()
        }
        let outcome = pair.socket.write(ByteBuffer(bytes: bytes), patching: ranges, with: patch, timeout: .seconds(10))
        try #require(done.wait(timeout: .now() + 20) == .success)
        return (box.value, outcome)
    }

    /// What the reading thread read.
    final class ReadBox: @unchecked Sendable { var value: [UInt8] = [] }

    @Test func aSmallSegmentGoesWithItsQueueIDInEachPlace() throws {
        let bytes = Array("....XXXXXXXX....XXXXXXXX..XXXXXXXX".utf8)
        let ranges = [4..<12, 16..<24, 26..<34]
        let id = Array("4A1B2C3D".utf8)
        let (read, outcome) = try Self.roundTrip(bytes, ranges, id)
        #expect(outcome?.failure == nil)
        #expect(outcome?.waited == false)
        #expect(read == Self.patched(bytes, ranges, id))
    }

    @Test func aQueueIDAtTheVeryStartAndEndIsPatched() throws {
        let bytes = Array("XXXXXX-middle-XXXXXX".utf8)
        let ranges = [0..<6, 14..<20]
        let id = Array("ABCDEF".utf8)
        let (read, _) = try Self.roundTrip(bytes, ranges, id)
        #expect(read == Array("ABCDEF-middle-ABCDEF".utf8))
    }

    @Test func aSegmentLargerThanTheSocketTakesGoesWholeAndPatched() throws {
        // 2 MiB through a 4 KiB send buffer: the first `sendmsg` takes part, and the rest goes from
        // a patched copy as the peer reads.
        var bytes = [UInt8](repeating: 0x2E, count: 2 << 20)
        let ranges = [10..<18, 1 << 20..<(1 << 20) + 8, (2 << 20) - 8..<2 << 20]
        for range in ranges { bytes.replaceSubrange(range, with: Array("XXXXXXXX".utf8)) }
        let id = Array("QUEUE-ID".utf8)
        let (read, outcome) = try Self.roundTrip(bytes, ranges, id, sendBuffer: 4096)
        #expect(outcome?.failure == nil)
        #expect(read.count == bytes.count)
        // A Bool, not the arrays: a failure would print 2 MiB twice.
        let same = read == Self.patched(bytes, ranges, id)
        #expect(same, "the peer read other bytes than the patched segment")
    }

    @Test func piecesOutOfOrderOrPastTheEndAreLeftToTheCaller() throws {
        let pair = try BlockingReadTimeoutTests.Pair()
        let bytes = ByteBuffer(bytes: Array("0123456789abcdef".utf8))
        #expect(pair.socket.write(bytes, patching: [8..<10, 2..<4], with: [0x41, 0x42], timeout: .seconds(1)) == nil)
        #expect(pair.socket.write(bytes, patching: [15..<17], with: [0x41, 0x42], timeout: .seconds(1)) == nil)
        let many = (0..<40).map { $0 * 2..<$0 * 2 + 1 }
        let long = ByteBuffer(bytes: [UInt8](repeating: 0, count: 100))
        #expect(pair.socket.write(long, patching: many, with: [0x41], timeout: .seconds(1)) == nil)
    }
}
