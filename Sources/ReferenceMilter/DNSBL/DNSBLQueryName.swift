import MailMessage

/// The name asked for an address in a DNSBL zone (RFC 5782 §2.1 and §2.4).
public enum DNSBLQueryName {
    /// `4.3.2.1.zone` for 1.2.3.4 (also for its IPv4-mapped IPv6 form), and 32 reversed nibbles
    /// then the zone for IPv6: `1.0.0.0…8.b.d.0.1.0.0.2.zone` for 2001:db8::1. `IPAddress` is a
    /// `MailMessage` type (`import MailMessage`).
    public static func name(for address: IPAddress, zone: String) -> String {
        let zone = zone.hasSuffix(".") ? String(zone.dropLast()) : zone
        if let v4 = address.ipv4Bytes {
            return v4.reversed().map(String.init).joined(separator: ".") + "." + zone
        }
        let hex = Array("0123456789abcdef")
        let nibbles = address.bytes.flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 0x0F)]] }
        return nibbles.reversed().map(String.init).joined(separator: ".") + "." + zone
    }
}
