extension IPAddress: CustomStringConvertible {
    /// Dotted quad for IPv4 (`192.0.2.1`); RFC 5952 text for IPv6 (`2001:db8::1`: lower case, no leading zeros,
    /// the longest run of zero groups compressed). The one formatter of IP addresses in the package.
    public var description: String {
        switch self {
        case .v4(let value):
            return [24, 16, 8, 0].map { String((value >> UInt32($0)) & 0xFF) }.joined(separator: ".")
        case .v6(let high, let low):
            let groups = (0..<8).map { index -> UInt16 in
                let half = index < 4 ? high : low
                return UInt16(truncatingIfNeeded: half >> UInt64(48 - 16 * (index % 4)))
            }
            return Self.format(groups)
        }
    }

    /// The eight groups in RFC 5952 form; the first of equally long zero runs is the one compressed.
    private static func format(_ groups: [UInt16]) -> String {
        var best = (start: -1, length: 0)
        var run = (start: -1, length: 0)
        for (index, group) in groups.enumerated() {
            if group == 0 {
                run = run.start < 0 ? (index, 1) : (run.start, run.length + 1)
                if run.length > best.length { best = run }
            } else {
                run = (-1, 0)
            }
        }
        let text = groups.map { String($0, radix: 16) }
        guard best.length >= 2 else { return text.joined(separator: ":") }
        let head = text[..<best.start].joined(separator: ":")
        let tail = text[(best.start + best.length)...].joined(separator: ":")
        return head + "::" + tail
    }
}
