import Foundation

/// Dates for the MTA's own Received header.
public enum ReceivedDate {
    /// The current time in RFC 5322 form, such as `Sat, 28 Nov 2026 01:23:45 +0000`.
    @Sendable
    public static func now() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: Date())
    }
}
