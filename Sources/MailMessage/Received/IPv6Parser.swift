/// IPv6 text parsing (RFC 4291 section 2.2); ``IPAddress/description`` formats (RFC 5952).
enum IPv6Parser {
    static func parse(_ text: Substring) -> [UInt8]? {
        guard text.contains(":"), text.count <= 45 else { return nil }
        let halves = splitOnDoubleColon(text)
        guard halves.count <= 2 else { return nil }
        // An embedded IPv4 address may only end the address: `1.2.3.4::` is no address.
        guard let head = groups(halves[0], mayEndInIPv4: halves.count == 1) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1], mayEndInIPv4: true), head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }

    private static func splitOnDoubleColon(_ text: Substring) -> [Substring] {
        var pieces: [Substring] = []
        var rest = text
        while let range = rest.firstRange(of: "::") {
            pieces.append(rest[..<range.lowerBound])
            rest = rest[range.upperBound...]
        }
        pieces.append(rest)
        return pieces
    }

    /// Bytes of colon-separated hex groups, the last of which may be an embedded IPv4 address when
    /// `mayEndInIPv4`.
    private static func groups(_ text: Substring, mayEndInIPv4: Bool) -> [UInt8]? {
        if text.isEmpty { return [] }
        var bytes: [UInt8] = []
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        for (index, part) in parts.enumerated() {
            if mayEndInIPv4, index == parts.count - 1, part.contains("."), let v4 = IPAddress(parsing: String(part)),
                v4.isIPv4
            {
                bytes += v4.bytes
                continue
            }
            guard (1...4).contains(part.count), part.allSatisfy(\.isHexDigit), let value = UInt16(part, radix: 16)
            else { return nil }
            bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
        }
        return bytes
    }
}
