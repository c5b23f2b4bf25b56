import MilterProtocol
import NIOCore
import Testing

@testable import ReferenceMilter

/// The framer keeps only the frame in progress: a message streamed in reads that each end inside a frame
/// (65,535-byte BODY chunks, as Postfix writes them, read 50,000 bytes at a time) does not pile up in it.
@Suite struct CommandFramerMemoryTests {
    @Test func aStreamCutInsideFramesKeepsOnlyTheFrameInProgress() throws {
        var framer = MilterCommandFramer(
            limits: .commands, watchdog: ConnectionWatchdog(timeouts: ConnectionTimeouts()))
        var stream = ByteBuffer()
        let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 65_535)
        for _ in 0..<320 { _ = try stream.writeMilterCommand(.body(chunk)) }  // 20 MiB
        var decoded = 0
        var mostHeld = 0
        while stream.readableBytes > 0 {
            framer.append(stream.readSlice(length: min(50_000, stream.readableBytes))!)
            while let command = try framer.next() {
                if case .body = command { decoded += 1 }
            }
            framer.finishRead()
            mostHeld = max(mostHeld, framer.heldCapacity)
        }
        #expect(decoded == 320)
        // A frame and a read, rounded up to a power of two: not the 20 MiB streamed.
        #expect(mostHeld <= 262_144, "held \(mostHeld) bytes")
    }
}
