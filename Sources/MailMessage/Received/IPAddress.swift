/// An IPv4 or IPv6 address: one found in a header, or taken from a packet header by MilterCapture.
///
/// The address is held inline, with no allocation, so a capture's flow tables can hash, compare and order
/// endpoints cheaply.
///
/// ```swift
/// let address = IPAddress(parsing: "[IPv6:2001:db8::1]")
/// print(address?.description ?? "-", address?.isPrivateOrLocal ?? false)  // 2001:db8::1 false
/// ```
public enum IPAddress: Hashable, Comparable, Sendable {
    /// An IPv4 address, in host order (`0x7F000001` is 127.0.0.1).
    case v4(UInt32)
    /// An IPv6 address as two 64-bit halves, most significant first.
    case v6(UInt64, UInt64)

    /// Parses dotted-quad IPv4 (decimal, no leading zeros) or RFC 4291 IPv6 text (an `IPv6:` prefix and brackets
    /// are accepted).
    public init?(parsing text: String) {
        var body = Substring(text)
        if body.hasPrefix("["), body.hasSuffix("]") { body = body.dropFirst().dropLast() }
        if body.lowercased().hasPrefix("ipv6:") { body = body.dropFirst(5) }
        if let v4 = Self.parseIPv4(body) {
            self = .v4(v4.reduce(0) { $0 << 8 | UInt32($1) })
        } else if let v6 = IPv6Parser.parse(body) {
            self = .v6(v6[..<8].reduce(0) { $0 << 8 | UInt64($1) }, v6[8...].reduce(0) { $0 << 8 | UInt64($1) })
        } else {
            return nil
        }
    }

    /// The address bytes in network order: 4 for IPv4, 16 for IPv6.
    public var bytes: [UInt8] {
        switch self {
        case .v4(let value):
            return [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> UInt32($0)) }
        case .v6(let high, let low):
            return (0..<16).map { UInt8(truncatingIfNeeded: ($0 < 8 ? high : low) >> UInt64(56 - 8 * ($0 % 8))) }
        }
    }

    /// True for IPv4 addresses.
    public var isIPv4: Bool {
        if case .v4 = self { return true }
        return false
    }

    /// Orders IPv4 before IPv6, then by value. Inlinable, so that a capture's flow table (another module) orders
    /// its endpoints without a call per packet.
    @inlinable
    public static func < (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.v4(let left), .v4(let right)): left < right
        case (.v4, .v6): true
        case (.v6, .v4): false
        case (.v6(let leftHigh, let leftLow), .v6(let rightHigh, let rightLow)):
            (leftHigh, leftLow) < (rightHigh, rightLow)
        }
    }

    /// Four decimal numbers 0-255. A number with a leading zero (`010`) is refused, as by Python's ipaddress and
    /// glibc's inet_pton: inet_aton and getaddrinfo read it as octal (8), so it names no one address.
    private static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var result: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0 >= "0" && $0 <= "9" }),
                part.count == 1 || part.first != "0", let value = UInt8(part)
            else { return nil }
            result.append(value)
        }
        return result
    }
}
