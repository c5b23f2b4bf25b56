/// A cursor over a whole DNS message; every read checks the size first and throws a typed error.
struct DNSByteReader {
    /// Name compression may jump at most this often; backward-only pointers already rule out loops.
    static let maxPointerJumps = 64

    let bytes: [UInt8]
    private(set) var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    private func require(_ count: Int) throws(DNSError) {
        guard count >= 0, remaining >= count else { throw DNSError(.truncatedMessage, offset: offset) }
    }

    mutating func readUInt8() throws(DNSError) -> UInt8 {
        try require(1)
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt16() throws(DNSError) -> UInt16 {
        try require(2)
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func readUInt32() throws(DNSError) -> UInt32 {
        let high = try readUInt16()
        return UInt32(high) << 16 | UInt32(try readUInt16())
    }

    mutating func readBytes(_ count: Int) throws(DNSError) -> ArraySlice<UInt8> {
        try require(count)
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    /// Reads a possibly compressed name (RFC 1035 §4.1.4). A pointer must point strictly before the
    /// start of the labels read since the last jump, so jump targets strictly decrease and no chain
    /// of pointers can loop.
    mutating func readName() throws(DNSError) -> String {
        var labels: [String] = []
        var wireLength = 1
        var position = offset
        var segmentStart = offset
        var resumeAt: Int?
        var jumps = 0
        while true {
            var cursor = DNSByteReader(bytes, offset: position)
            let length = try cursor.readUInt8()
            switch length & 0xC0 {
            case 0:
                if length == 0 {
                    offset = resumeAt ?? cursor.offset
                    return labels.joined(separator: ".")
                }
                wireLength += Int(length) + 1
                guard wireLength <= DNSName.maxWireLength else { throw DNSError(.nameTooLong, offset: position) }
                labels.append(DNSName.text(ofLabel: try cursor.readBytes(Int(length))))
                position = cursor.offset
            case 0xC0:
                let target = Int(length & 0x3F) << 8 | Int(try cursor.readUInt8())
                jumps += 1
                guard target < segmentStart, jumps <= Self.maxPointerJumps else {
                    throw DNSError(.compressionLoop, offset: position)
                }
                if resumeAt == nil { resumeAt = cursor.offset }
                position = target
                segmentStart = target
            default:
                throw DNSError(.badLabel, offset: position)
            }
        }
    }
}
