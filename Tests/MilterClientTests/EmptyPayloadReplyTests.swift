import Foundation
import MilterProtocol
import NIOCore
import Testing

@testable import MilterClient

/// A reply frame without payload, read by the blocking connection's reader (which takes a verdict from
/// `EmptyPayloadReplies` instead of decoding a frame), is the reply `MilterReply(frame:)` decodes, or the same
/// error, for every reply byte.
@Suite struct EmptyPayloadReplyTests {
    @Test func everyByteReadsAsItDecodes() async throws {
        let mismatches = try await BlockingReadTimeoutTests.Pair.with { pair in
            var mismatches: [String] = []
            for byte in UInt8.min...UInt8.max {
                let expected = Result { () throws(MilterProtocolError) in
                    try MilterReply(frame: MilterFrame(command: byte, payload: ByteBuffer()))
                }
                // A reader of its own for each frame: an error ends a reader's stream.
                var reader = BlockingReplyReader(
                    limits: MilterFrameLimits(maximumPayloadLength: 1024), maximumQueuedBytes: 1 << 20, tap: nil)
                _ = [0, 0, 0, 1, byte].withUnsafeBytes { send(pair.peer, $0.baseAddress, 5, 0) }
                let event = reader.next(from: &pair.socket, timeout: .seconds(600), since: nil)
                switch (event, expected) {
                case (.reply(let reply), .success(let decoded)) where reply == decoded: continue
                case (.protocolError(let error), .failure(let failure)) where error == failure.at(offset: 0): continue
                default: mismatches.append("\(byte): \(event), decoded \(expected)")
                }
            }
            return mismatches
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }
}
