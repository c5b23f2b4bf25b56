import Foundation
import MilterTestSupport
import NIOCore
import Testing

@testable import MilterClient

/// A recorded segment written in pieces around its queue IDs (`BlockingSocket.write(_:patching:with:timeout:)`)
/// puts on the wire exactly the bytes of a patched copy, also when the socket takes them a part at a time.
@Suite struct BlockingSocketPiecesTests {
    typealias Pair = BlockingReadTimeoutTests.Pair

    /// Writes `frames` with `queueID` patched at `ranges` through `pair`'s socket while the peer reads; what the
    /// peer read, and the write's failure.
    static func written(
        _ frames: [UInt8], ranges: [Range<Int>], queueID: [UInt8], sendBuffer: Int32? = nil
    ) async throws -> (read: [UInt8], failure: String?) {
        try await Pair.with { pair in
            if var size = sendBuffer {
                setsockopt(
                    pair.socket.descriptor, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            }
            let peer = pair.peer
            let expected = frames.count
            let reader = Reader()
            let done = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                reader.read(expected, from: peer)
                done.signal()
            }
            let outcome = pair.socket.write(
                ByteBuffer(bytes: frames), patching: ranges, with: queueID, timeout: .seconds(600))
            done.wait()
            return (reader.bytes, outcome.failure)
        }
    }

    /// Reads on a thread of its own, in small reads with pauses (so that the writer finds the socket full).
    final class Reader: @unchecked Sendable {
        var bytes: [UInt8] = []

        func read(_ count: Int, from peer: Int32) {
            var chunk = [UInt8](repeating: 0, count: 4096)
            while bytes.count < count {
                let got = chunk.withUnsafeMutableBytes { recv(peer, $0.baseAddress, 4096, 0) }
                guard got > 0 else { return }
                bytes += chunk[..<got]
                if bytes.count % 65_536 < 4096 { usleep(1000) }
            }
        }
    }

    /// The bytes `ExchangeSegment.patch` makes.
    static func patched(_ frames: [UInt8], ranges: [Range<Int>], queueID: [UInt8]) -> [UInt8] {
        var buffer = ByteBuffer(bytes: frames)
        ExchangeSegment.patch(&buffer, at: ranges, queueID: queueID)
        return Array(buffer.readableBytesView)
    }

    static let frames = (0..<200).map { UInt8(truncatingIfNeeded: $0) }

    @Test(arguments: [
        [0..<4], [10..<14, 20..<24, 196..<200], [10..<14, 14..<18], [], [5..<9, 50..<54, 100..<104, 150..<154],
    ])
    func thePiecesAreThePatchedCopy(_ ranges: [Range<Int>]) async throws {
        let queueID = Array("QID1".utf8)
        let (read, failure) = try await Self.written(Self.frames, ranges: ranges, queueID: queueID)
        #expect(failure == nil)
        #expect(read == Self.patched(Self.frames, ranges: ranges, queueID: queueID))
    }

    /// Ranges out of order (which a recording does not make) are patched one after the other, as in a copy.
    @Test func rangesOutOfOrderArePatchedInACopy() async throws {
        let ranges = [20..<24, 10..<14, 12..<16]
        let queueID = Array("ABCD".utf8)
        let (read, failure) = try await Self.written(Self.frames, ranges: ranges, queueID: queueID)
        #expect(failure == nil)
        #expect(read == Self.patched(Self.frames, ranges: ranges, queueID: queueID))
    }

    /// More ranges than `BlockingSocket.mostPatchedRanges` go in a copy too.
    @Test func manyRangesArePatchedInACopy() async throws {
        let count = BlockingSocket.mostPatchedRanges + 1
        let frames = [UInt8](repeating: 0x2E, count: count * 10)
        let ranges = (0..<count).map { ($0 * 10 + 2)..<($0 * 10 + 5) }
        let queueID = Array("XYZ".utf8)
        let (read, failure) = try await Self.written(frames, ranges: ranges, queueID: queueID)
        #expect(failure == nil)
        #expect(read == Self.patched(frames, ranges: ranges, queueID: queueID))
    }

    /// 2 MB through a small send buffer and a slow reader: the socket takes the pieces a part at a time, often in
    /// the middle of one, and what it took is dropped from them before the next `sendmsg`.
    @Test func aWriteTakenInPartsStillSendsEveryByteOnce() async throws {
        let size = 2 << 20
        let frames = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 13) }
        let ranges = stride(from: 1_000, to: size - 100, by: size / 40).map { $0..<($0 + 14) }
        let queueID = Array("4XyZ1234567890".utf8)
        let (read, failure) = try await Self.written(frames, ranges: ranges, queueID: queueID, sendBuffer: 4096)
        #expect(failure == nil)
        #expect(read.count == size)
        #expect(read == Self.patched(frames, ranges: ranges, queueID: queueID))
    }

    /// A milter that reads nothing: the pieces' write times out with the error of a whole write, naming the bytes
    /// left.
    @Test func aMilterThatReadsNothingTimesTheWriteOut() async throws {
        let size = 32 << 20
        let frames = [UInt8](repeating: 0x41, count: size)
        let outcome = try await Pair.with { pair in
            pair.socket.write(
                ByteBuffer(bytes: frames), patching: [100..<104], with: Array("QQQQ".utf8), timeout: .milliseconds(200))
        }
        let failure = try #require(outcome.failure)
        #expect(failure.hasPrefix("write timed out: the milter read nothing for 0.2 s with "))
        #expect(failure.hasSuffix(" bytes left to send"))
        #expect(outcome.waited)
    }
}
