/// A date from a Date or Received header (RFC 5322 section 3.3), with its UTC offset.
///
/// Parsing accepts the RFC form (`Tue, 2 Jan 2024 03:04:05 +0100`) and common broken forms:
/// missing weekday or seconds, two-digit years, named zones (`GMT`, `EST`, `PDT`, military letters),
/// no zone, `+01:00`, trailing comments, asctime (`Tue Jan  2 03:04:05 2024`), ISO 8601
/// (`2024-01-02T03:04:05Z`), dashes (`02-Jan-2024`), full month names and AM/PM.
public struct MailDate: Sendable, Hashable, Comparable {
    /// The year, four digits.
    public var year: Int
    /// The month, 1 to 12.
    public var month: Int
    /// The day of the month, 1 to 31.
    public var day: Int
    /// The hour, 0 to 23.
    public var hour: Int
    /// The minute, 0 to 59.
    public var minute: Int
    /// The second, 0 to 60.
    public var second: Int
    /// The offset from UTC in minutes (`+0100` is 60); 0 when the date had no zone.
    public var utcOffsetMinutes: Int

    /// Creates a date from components.
    public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, utcOffsetMinutes: Int) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.utcOffsetMinutes = utcOffsetMinutes
    }

    /// Parses a date, or returns nil when no plausible date is found.
    public init?(parsing text: String) {
        guard let date = DateParser.parse(Array(text.utf8)[...]) else { return nil }
        self = date
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    public var secondsSince1970: Int64 {
        // Wrapping arithmetic: components set through the memberwise initializer are not range-checked.
        let days = Self.daysSince1970(year: year, month: month, day: day)
        let local = days &* 86_400 &+ Int64(truncatingIfNeeded: hour &* 3600 &+ minute &* 60 &+ second)
        return local &- Int64(truncatingIfNeeded: utcOffsetMinutes &* 60)
    }

    /// Orders dates by the instant they denote.
    public static func < (lhs: MailDate, rhs: MailDate) -> Bool { lhs.secondsSince1970 < rhs.secondsSince1970 }

    /// Days from 1970-01-01 to a civil date in the proleptic Gregorian calendar.
    static func daysSince1970(year: Int, month: Int, day: Int) -> Int64 {
        let shiftedYear = Int64(truncatingIfNeeded: month <= 2 ? year &- 1 : year)
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear &- 399) / 400
        let yearOfEra = shiftedYear &- era &* 400
        let monthIndex = Int64(truncatingIfNeeded: month > 2 ? month &- 3 : month &+ 9)
        let dayOfYear = (153 &* monthIndex &+ 2) / 5 &+ Int64(truncatingIfNeeded: day) &- 1
        let dayOfEra = yearOfEra &* 365 &+ yearOfEra / 4 &- yearOfEra / 100 &+ dayOfYear
        return era &* 146_097 &+ dayOfEra &- 719_468
    }
}
