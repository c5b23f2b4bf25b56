import MailMessage

extension IPAddress {
    /// Whether a DNSBL may be asked about this address: false for loopback, private, link-local,
    /// CGNAT, multicast, documentation and other reserved ranges, which no list holds and whose
    /// queries would leak internal addresses.
    public var isDNSBLQueryable: Bool {
        if isPrivateOrLocal { return false }
        if let v4 = ipv4Bytes { return !Self.isReservedIPv4(v4) }
        let b = bytes
        if b[0] == 0xFF { return false }  // multicast
        if b[0] == 0x20, b[1] == 0x01, b[2] == 0x0D, b[3] == 0xB8 { return false }  // 2001:db8::/32
        if b[0..<12].allSatisfy({ $0 == 0 }) { return false }  // IPv4-compatible and unspecified
        return true
    }

    /// The four IPv4 bytes, also of an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`).
    var ipv4Bytes: [UInt8]? {
        if isIPv4 { return bytes }
        let mapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
        return mapped ? Array(bytes[12...]) : nil
    }

    private static func isReservedIPv4(_ b: [UInt8]) -> Bool {
        b[0] >= 224  // multicast, 240/4, broadcast
            || (b[0] == 192 && b[1] == 0 && (b[2] == 0 || b[2] == 2))  // 192.0.0/24, TEST-NET-1
            || (b[0] == 198 && (b[1] & 0xFE) == 18)  // benchmarking 198.18/15
            || (b[0] == 198 && b[1] == 51 && b[2] == 100)  // TEST-NET-2
            || (b[0] == 203 && b[1] == 0 && b[2] == 113)  // TEST-NET-3
    }
}
