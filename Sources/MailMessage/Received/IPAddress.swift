/// An IPv4 or IPv6 address found in a header.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address bytes: 4 for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (an `IPv6:` prefix and brackets are accepted).
    public init?(parsing text: String) {
        var body = Substring(text)
        if body.hasPrefix("["), body.hasSuffix("]") { body = body.dropFirst().dropLast() }
        if body.lowercased().hasPrefix("ipv6:") { body = body.dropFirst(5) }
        if let v4 = Self.parseIPv4(body) {
            bytes = v4
        } else if let v6 = IPv6Parser.parse(body) {
            bytes = v6
        } else {
            return nil
        }
    }

    /// True for IPv4 addresses.
    public var isIPv4: Bool { bytes.count == 4 }

    /// True for addresses that never identify an outside client: loopback, private (RFC 1918, RFC 4193),
    /// link-local, CGNAT (RFC 6598), unspecified, and IPv4-mapped forms of those.
    public var isPrivateOrLocal: Bool {
        if isIPv4 { return Self.isPrivateIPv4(bytes) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return Self.isPrivateIPv4(Array(bytes[12...]))
        }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) { return true }
        return bytes[0] & 0xFE == 0xFC || (bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80)
    }

    /// The conventional text form (`192.0.2.1`, `2001:db8::1`).
    public var description: String {
        isIPv4 ? bytes.map(String.init).joined(separator: ".") : IPv6Parser.format(bytes)
    }

    private static func isPrivateIPv4(_ b: [UInt8]) -> Bool {
        b[0] == 10 || b[0] == 127 || b[0] == 0 || (b[0] == 172 && b[1] & 0xF0 == 16) || (b[0] == 192 && b[1] == 168)
            || (b[0] == 169 && b[1] == 254) || (b[0] == 100 && b[1] & 0xC0 == 64)
    }

    private static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var result: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0 >= "0" && $0 <= "9" }), let value = UInt8(part)
            else { return nil }
            result.append(value)
        }
        return result
    }
}
