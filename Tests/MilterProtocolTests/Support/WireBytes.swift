import MilterProtocol
import NIOCore
import Testing

/// Helpers for writing fixture bytes by hand. None of them calls the codec: a fixture states
/// its length field explicitly, and ``frame(_:_:_:)`` only checks that the hand count is right.
enum Wire {
    /// The UTF-8 bytes of `text`; `\0` in a literal is the NUL terminator.
    static func text(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// A big-endian 32-bit integer.
    static func u32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    /// A frame: the hand-counted length field, the command byte, the payload.
    static func frame(_ length: UInt32, _ command: Character, _ payload: [UInt8] = []) -> [UInt8] {
        precondition(Int(length) == payload.count + 1, "fixture length \(length) is miscounted")
        return u32(length) + [command.asciiValue!] + payload
    }

    /// A buffer holding `bytes`.
    static func buffer(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }
}

extension MilterCommand {
    /// Encodes one command with the codec, for the encode direction of the fixtures.
    var encodedBytes: [UInt8] {
        get throws {
            var buffer = ByteBuffer()
            try buffer.writeMilterCommand(self)
            return Array(buffer.readableBytesView)
        }
    }
}

extension MilterReply {
    /// Encodes one reply with the codec, for the encode direction of the fixtures.
    var encodedBytes: [UInt8] {
        get throws {
            var buffer = ByteBuffer()
            try buffer.writeMilterReply(self)
            return Array(buffer.readableBytesView)
        }
    }
}

/// Decodes every command in `bytes` and requires that nothing is left over.
func decodeCommands(_ bytes: [UInt8], limits: MilterFrameLimits = .commands) throws -> [MilterCommand] {
    var decoder = MilterCommandDecoder(limits: limits)
    var buffer = Wire.buffer(bytes)
    var out: [MilterCommand] = []
    while let command = try decoder.decode(buffer: &buffer) { out.append(command) }
    if let last = try decoder.decodeLast(buffer: &buffer, seenEOF: true) { out.append(last) }
    return out
}

/// Decodes every reply in `bytes` and requires that nothing is left over.
func decodeReplies(_ bytes: [UInt8], limits: MilterFrameLimits = .replies) throws -> [MilterReply] {
    var decoder = MilterReplyDecoder(limits: limits)
    var buffer = Wire.buffer(bytes)
    var out: [MilterReply] = []
    while let reply = try decoder.decode(buffer: &buffer) { out.append(reply) }
    if let last = try decoder.decodeLast(buffer: &buffer, seenEOF: true) { out.append(last) }
    return out
}

/// A message and its bytes, written by hand from PROTOCOL.md and mfdef.h.
struct Fixture<Message: Sendable>: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    let message: Message
    var testDescription: String { name }

    init(_ name: String, _ bytes: [UInt8], _ message: Message) {
        self.name = name
        self.bytes = bytes
        self.message = message
    }
}

/// The ``MilterProtocolError`` that `body` throws, or `nil`; any other error is an issue.
func capturedError(_ body: () throws -> Void) -> MilterProtocolError? {
    do {
        try body()
        return nil
    } catch let error as MilterProtocolError {
        return error
    } catch {
        Issue.record("unexpected error type \(error)")
        return nil
    }
}
