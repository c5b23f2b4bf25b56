import MilterProtocol
import NIOCore
import _MilterSystem

/// Decodes HEADER payloads, giving a field name the storage of the same name received lately on the
/// connection, so that a name repeated from message to message (From, To, Subject, Received, …) costs
/// no allocation of its own.
///
/// A payload that is not a well-formed header field (`name\0value\0`, nothing after) is left to the
/// general decoder, which says why. The names kept are few and short, and not charged to the memory
/// budget. Used on the connection's event loop only.
struct HeaderNameMemo {
    /// The most names kept; the oldest makes room for a new one.
    static let capacity = 32
    /// The longest name kept: longer names are rare.
    static let longestName = 64

    private var names: [[UInt8]] = []
    /// Where the next new name goes once ``capacity`` names are kept.
    private var oldest = 0
    /// Where the next name is looked for first: after the last one found or kept.
    private var guess = 0

    /// The header field `payload` carries, as `ByteBuffer.readHeaderField()` reads it, or nil when the
    /// payload is not a well-formed header field.
    mutating func field(of payload: ByteBuffer) -> HeaderField? {
        // One look at the buffer's storage: each is a dynamic exclusivity check in NIO.
        payload.withUnsafeReadableBytes { field(of: $0) }
    }

    /// The header field of a payload read in place (the framer's one look at a frame), as
    /// ``field(of:)-(ByteBuffer)`` gives it.
    mutating func field(of raw: UnsafeRawBufferPointer) -> HeaderField? {
        // `memchr`, where `firstIndex(of:)` went byte by byte (a field is about fifty bytes).
        guard let nameEnd = Self.zero(in: raw, from: 0) else { return nil }
        let valueStart = nameEnd + 1
        guard let valueEnd = Self.zero(in: raw, from: valueStart), valueEnd == raw.count - 1 else { return nil }
        let name = remembered(UnsafeRawBufferPointer(rebasing: raw[..<nameEnd]))
        let value = [UInt8](UnsafeRawBufferPointer(rebasing: raw[valueStart..<valueEnd]))
        return HeaderField(name: MilterString(bytes: name), value: MilterString(bytes: value))
    }

    /// The offset of the first zero byte of `raw` at or after `start`, if any.
    private static func zero(in raw: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let base = raw.baseAddress, start < raw.count,
            let found = memchr(base + start, 0, raw.count - start)
        else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }

    /// The kept name equal to `bytes`, or a new array of them (kept if short enough).
    private mutating func remembered(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        // The name after the last one found first: a sender's messages list their fields in one order.
        if guess < names.count, Self.same(names[guess], bytes) {
            guess += 1
            return names[guess - 1]
        }
        for index in names.indices where Self.same(names[index], bytes) {
            guess = index + 1
            return names[index]
        }
        let name = [UInt8](bytes)
        guard !name.isEmpty, name.count <= Self.longestName else { return name }
        if names.count < Self.capacity {
            if names.isEmpty { names.reserveCapacity(Self.capacity) }
            names.append(name)
            guess = names.count
        } else {
            names[oldest] = name
            oldest = (oldest + 1) % Self.capacity
            guess = oldest
        }
        return name
    }

    /// Whether a kept name is `bytes`: `memcmp`, not `elementsEqual` byte by byte; an empty name is never kept.
    private static func same(_ name: [UInt8], _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard name.count == bytes.count, let base = bytes.baseAddress else { return false }
        return name.withUnsafeBytes { memcmp($0.baseAddress!, base, bytes.count) } == 0
    }
}
