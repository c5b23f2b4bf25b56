/// Byte constants and small ASCII helpers shared by the parsers.
enum ASCII {
    static let tab: UInt8 = 0x09
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let colon: UInt8 = 0x3A
    static let equals: UInt8 = 0x3D
    static let question: UInt8 = 0x3F
    static let backslash: UInt8 = 0x5C
    static let dash: UInt8 = 0x2D

    /// True for space and horizontal tab (RFC 5322 WSP).
    @inline(__always)
    static func isWSP(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// True for WSP, CR and LF.
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == space || byte == tab || byte == cr || byte == lf }

    /// Lowercases an ASCII letter; other bytes are returned unchanged.
    @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 { (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte }

    /// The value of a hexadecimal digit, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }

    /// Compares bytes with an ASCII string, ignoring ASCII case.
    static func equalsIgnoringCase<C: Collection<UInt8>>(_ bytes: C, _ string: String) -> Bool {
        var other = string.utf8.makeIterator()
        for byte in bytes {
            guard let expected = other.next(), lower(byte) == lower(expected) else { return false }
        }
        return other.next() == nil
    }

    /// Lowercased ASCII text of the bytes (non-ASCII bytes decode as UTF-8, lossily).
    static func lowercased<C: Collection<UInt8>>(_ bytes: C) -> String {
        String(decoding: bytes.map(lower), as: UTF8.self)
    }

    /// The bytes with leading and trailing whitespace (WSP, CR, LF) removed.
    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, isWhitespace(bytes[start]) { start += 1 }
        while end > start, isWhitespace(bytes[end - 1]) { end -= 1 }
        return bytes[start..<end]
    }
}
