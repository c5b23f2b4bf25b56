import MilterProtocol
import NIOCore
import Testing

/// `MilterFrameDecoder.decodeFrame(in:)` and `decodeLastFrame(in:)`, for a reader that keeps its bytes in memory
/// of its own, cut the frames `decode(buffer:)` and `decodeLast(buffer:seenEOF:)` cut, with the same errors and
/// stream offsets.
@Suite struct RawFrameDecodingTests {
    /// What a decoder made of a stream: each frame, then the error that ended it, if any.
    struct Outcome: Equatable {
        var frames: [MilterFrame] = []
        var error: MilterProtocolError?
        var streamOffset = 0
    }

    /// `bytes` through `decode(buffer:)`, then, with `atEOF`, `decodeLast`.
    static func throughBuffer(_ bytes: [UInt8], limits: MilterFrameLimits, atEOF: Bool) -> Outcome {
        var decoder = MilterFrameDecoder(limits: limits)
        var buffer = ByteBuffer(bytes: bytes)
        var outcome = Outcome()
        do {
            while let frame = try decoder.decode(buffer: &buffer) { outcome.frames.append(frame) }
            if atEOF {
                while let frame = try decoder.decodeLast(buffer: &buffer, seenEOF: true) {
                    outcome.frames.append(frame)
                }
            }
        } catch {
            outcome.error = error
        }
        outcome.streamOffset = decoder.streamOffset
        return outcome
    }

    /// `bytes` through the raw decoding, the frames' bytes dropped as a reader drops them.
    static func throughRaw(_ bytes: [UInt8], limits: MilterFrameLimits, atEOF: Bool) -> Outcome {
        var decoder = MilterFrameDecoder(limits: limits)
        var outcome = Outcome()
        var start = 0
        bytes.withUnsafeBytes { raw in
            do throws(MilterProtocolError) {
                while true {
                    let rest = UnsafeRawBufferPointer(rebasing: raw[start...])
                    let next = atEOF ? try decoder.decodeLastFrame(in: rest) : try decoder.decodeFrame(in: rest)
                    guard let next else { break }
                    let payload = UnsafeRawBufferPointer(rebasing: rest[next.payload])
                    outcome.frames.append(MilterFrame(command: next.command, payload: ByteBuffer(bytes: payload)))
                    start += next.payload.upperBound
                }
            } catch {
                outcome.error = error
            }
        }
        outcome.streamOffset = decoder.streamOffset
        return outcome
    }

    static let streams: [[UInt8]] = [
        Wire.frame(1, "c") + Wire.frame(6, "y", Wire.text("550 x")) + Wire.frame(1, "a"),
        // A frame cut short: waits, or at the end of the stream, is truncated.
        Wire.frame(1, "c") + [0, 0, 0, 6, UInt8(ascii: "h"), 0x61],
        Wire.frame(1, "c") + [0, 0],
        Wire.frame(1, "c") + [0, 0, 0, 0, UInt8(ascii: "c")],
        Wire.frame(1, "c") + Array("220 mx.example.test ESMTP\r\n".utf8),
        Wire.frame(1, "p") + Wire.u32(70_000) + [UInt8(ascii: "b"), 1, 2, 3],
        [],
    ]

    @Test(arguments: streams)
    func theRawDecodingCutsWhatTheBufferDecodingCuts(_ bytes: [UInt8]) {
        for limits in [MilterFrameLimits.commands, MilterFrameLimits(maximumPayloadLength: 4)] {
            for atEOF in [false, true] {
                let raw = Self.throughRaw(bytes, limits: limits, atEOF: atEOF)
                let buffered = Self.throughBuffer(bytes, limits: limits, atEOF: atEOF)
                #expect(raw == buffered, "\(bytes), limit \(limits.maximumPayloadLength), at EOF: \(atEOF)")
            }
        }
    }

    /// A refused length costs no more than its header: the error comes before the payload is there.
    @Test func aRefusedLengthIsFoundFromItsHeaderAlone() {
        let outcome = Self.throughRaw(Wire.u32(1 << 30), limits: .replies, atEOF: false)
        #expect(outcome.error?.code == .frameTooLarge)
        #expect(outcome.frames.isEmpty)
    }
}
