#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Dates for the MTA's own Received header.
public enum ReceivedDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The current time in RFC 5322 form, in UTC: `Sat, 28 Nov 2026 01:23:45 +0000`.
    @Sendable
    public static func now() -> String {
        var seconds = time(nil)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return format(parts)
    }

    /// A broken-down UTC time in RFC 5322 form. Formatted by hand: a locale-aware formatter costs
    /// more than a whole milter transaction.
    static func format(_ parts: tm) -> String {
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let day = days[Int(parts.tm_wday) % 7]
        let month = months[Int(parts.tm_mon) % 12]
        let clock = "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
        return "\(day), \(parts.tm_mday) \(month) \(parts.tm_year + 1900) \(clock) +0000"
    }
}
