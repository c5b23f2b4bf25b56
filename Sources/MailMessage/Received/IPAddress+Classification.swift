extension IPAddress {
    /// True for addresses that never identify an outside client: loopback, private (RFC 1918, RFC 4193),
    /// link-local, CGNAT (RFC 6598), unspecified, and IPv4-mapped forms of those.
    public var isPrivateOrLocal: Bool {
        let bytes = self.bytes
        if isIPv4 { return Self.isPrivateIPv4(bytes) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return Self.isPrivateIPv4(Array(bytes[12...]))
        }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) { return true }
        return bytes[0] & 0xFE == 0xFC || (bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80)
    }

    private static func isPrivateIPv4(_ b: [UInt8]) -> Bool {
        b[0] == 10 || b[0] == 127 || b[0] == 0 || (b[0] == 172 && b[1] & 0xF0 == 16) || (b[0] == 192 && b[1] == 168)
            || (b[0] == 169 && b[1] == 254) || (b[0] == 100 && b[1] & 0xC0 == 64)
    }
}
