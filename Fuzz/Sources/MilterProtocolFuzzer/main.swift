// Feeds arbitrary bytes to the milter codec in chunks, as a socket would: the stream is decoded as
// commands (each one driven through the milter-side session, which answers with replies chosen from
// the input) and as replies. Every decoded value must re-encode to bytes that decode to it again,
// and every error must describe itself. A trap anywhere is a finding.
import FuzzDriver
import MilterProtocol
import NIOCore

/// Small limits for the reply direction, so that short inputs reach the limit paths too.
let replyLimits = MilterFrameLimits(maximumPayloadLength: 4096)

/// Splits `bytes` into chunks whose size the first byte chooses, and decodes as each arrives.
func decodeInChunks<D: NIOSingleStepByteToMessageDecoder>(
    _ bytes: [UInt8], with decoder: inout D, _ handle: (D.InboundOut) -> Void
) {
    let chunk = Int(bytes.first ?? 0) % 64 + 1
    var buffer = ByteBuffer()
    var start = 0
    do {
        while start < bytes.count {
            buffer.writeBytes(bytes[start..<min(start + chunk, bytes.count)])
            start += chunk
            while let message = try decoder.decode(buffer: &buffer) { handle(message) }
        }
        while let message = try decoder.decodeLast(buffer: &buffer, seenEOF: true) { handle(message) }
    } catch {
        _ = String(describing: error)
    }
}

func checkRoundTrip(_ command: MilterCommand) {
    var buffer = ByteBuffer()
    guard (try? buffer.writeMilterCommand(command)) != nil else { fatalError("a decoded command failed to encode") }
    var decoder = MilterCommandDecoder(limits: MilterFrameLimits(maximumPayloadLength: Int(UInt32.max)))
    guard (try? decoder.decode(buffer: &buffer)) == command else { fatalError("a command did not round-trip") }
}

func checkRoundTrip(_ reply: MilterReply) {
    var buffer = ByteBuffer()
    guard (try? buffer.writeMilterReply(reply)) != nil else { fatalError("a decoded reply failed to encode") }
    var decoder = MilterReplyDecoder(limits: MilterFrameLimits(maximumPayloadLength: Int(UInt32.max)))
    guard (try? decoder.decode(buffer: &buffer)) == reply else { fatalError("a reply did not round-trip") }
    if case .replyCode(let text) = reply { _ = ReplyCode.problems(in: text) }
}

/// A REPLYCODE whose payload is `bytes`, any bytes, decodes and encodes back byte for byte (ReplyCode+Wire.swift).
func checkReplyCodePayload(_ bytes: [UInt8]) {
    guard bytes.count <= replyLimits.maximumPayloadLength else { return }
    let frame: [UInt8] = withUnsafeBytes(of: UInt32(bytes.count + 1).bigEndian, Array.init) + [0x79] + bytes
    var buffer = ByteBuffer(bytes: frame)
    var decoder = MilterReplyDecoder(limits: replyLimits)
    guard case .replyCode(let text)? = try? decoder.decode(buffer: &buffer) else {
        fatalError("a REPLYCODE was refused")
    }
    var encoded = ByteBuffer()
    guard (try? encoded.writeMilterReply(.replyCode(text))) != nil, Array(encoded.readableBytesView) == frame else {
        fatalError("a REPLYCODE did not encode back to its bytes")
    }
}

runFuzzer { bytes in
    var driver = SessionDriver(selector: Int(bytes.last ?? 0))
    var commands = MilterCommandDecoder()
    decodeInChunks(bytes, with: &commands) { command in
        checkRoundTrip(command)
        driver.receive(command)
    }
    var replies = MilterReplyDecoder(limits: replyLimits)
    decodeInChunks(bytes, with: &replies) { checkRoundTrip($0) }
    checkReplyCodePayload(bytes)
}
