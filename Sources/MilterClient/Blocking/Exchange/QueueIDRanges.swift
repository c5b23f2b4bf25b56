import NIOCore

/// Where a queue ID stands in a run of frames: the values of the `i` macro (`{i}` too) in its
/// MACRO packets that equal it. Nothing else is searched, so a body or header that happens to
/// hold the same characters is never taken for it.
enum QueueIDRanges {
    /// The ranges, relative to the buffer's reader index, of the `i` macro values equal to `id`.
    static func find(_ id: [UInt8], in frames: ByteBuffer) -> [Range<Int>] {
        guard !id.isEmpty else { return [] }
        return frames.withUnsafeReadableBytes { bytes in
            var ranges: [Range<Int>] = []
            var frame = 0
            while frame + 5 <= bytes.count {
                let length =
                    Int(bytes[frame]) << 24 | Int(bytes[frame + 1]) << 16 | Int(bytes[frame + 2]) << 8
                    | Int(bytes[frame + 3])
                let end = frame + 4 + length
                guard length >= 1, end <= bytes.count else { break }
                // A MACRO packet: 'D', the stage's command byte, then name NUL value NUL pairs.
                if bytes[frame + 4] == UInt8(ascii: "D") {
                    macroValues(in: bytes, from: frame + 6, to: end, equalTo: id, into: &ranges)
                }
                frame = end
            }
            return ranges
        }
    }

    private static func macroValues(
        in bytes: UnsafeRawBufferPointer, from start: Int, to end: Int, equalTo id: [UInt8],
        into ranges: inout [Range<Int>]
    ) {
        var position = start
        func string() -> Range<Int>? {
            var cursor = position
            while cursor < end, bytes[cursor] != 0 { cursor += 1 }
            guard cursor < end else { return nil }
            defer { position = cursor + 1 }
            return position..<cursor
        }
        while let name = string(), let value = string() {
            let isQueueID =
                (name.count == 1 && bytes[name.lowerBound] == UInt8(ascii: "i"))
                || (name.count == 3 && bytes[name.lowerBound] == UInt8(ascii: "{")
                    && bytes[name.lowerBound + 1] == UInt8(ascii: "i")
                    && bytes[name.lowerBound + 2] == UInt8(ascii: "}"))
            if isQueueID, value.count == id.count, zip(bytes[value], id).allSatisfy({ $0 == $1 }) {
                ranges.append(value)
            }
        }
    }
}
