import MailMessage
import Testing

struct DateTests {
    /// 2024-01-02T03:04:05Z.
    static let instant: Int64 = 1_704_164_645

    static let cases: [(String, Int64)] = [
        ("Tue, 2 Jan 2024 03:04:05 +0000", instant),
        ("Tue, 02 Jan 2024 04:04:05 +0100", instant),
        ("2 Jan 2024 03:04:05 GMT", instant),
        ("Tue, 2 Jan 2024 03:04:05 +0000 (UTC)", instant),
        ("Mon, 1 Jan 2024 22:04:05 -0500", instant),
        ("Mon, 1 Jan 2024 22:04:05 EST", instant),
        ("Mon, 1 Jan 2024 19:04:05 PST", instant),
        ("Tue, 2 Jan 24 03:04:05 +0000", instant),
        ("Tue Jan  2 03:04:05 2024", instant),
        ("2024-01-02T03:04:05Z", instant),
        ("2024-01-02T05:04:05.123+02:00", instant),
        ("Tue, 2 January 2024 03:04:05 +0000", instant),
        ("02-Jan-2024 03:04:05 +0000", instant),
        ("Tue, 2 Jan 2024 03:04 +0000", instant - 5),
        ("Tue, 2 Jan 2024 3:04:05 AM +0000", instant),
        ("tue, 2 jan 2024 03:04:05 z", instant),
        ("Thu, 1 Jan 1970 00:00:00 +0000", 0),
        ("Fri, 13 Feb 2009 23:31:30 +0000", 1_234_567_890),
        ("Wed, 29 Feb 2000 12:00:00 +0000", 951_825_600),
        ("Thu, 29 Feb 2024 00:00:00 +0000", 1_709_164_800),
        ("Tue, 31 Dec 2024 00:00:00 +0000", 1_735_603_200),
    ]

    @Test(arguments: cases)
    func parses(_ text: String, _ expected: Int64) {
        #expect(MailDate(parsing: text)?.secondsSince1970 == expected)
    }

    @Test(arguments: ["", "not a date", "Tue, 32 Jan 2024 03:04:05 +0000", "Tue, 2 Foo 2024 25:00:00", "12:00"])
    func rejects(_ text: String) {
        #expect(MailDate(parsing: text) == nil)
    }

    /// A day past the end of its month is no date (it was read as a day of the next month); Python's
    /// email.utils rejects these too.
    @Test(arguments: [
        "Thu, 31 Feb 2024 03:04:05 +0000", "Fri, 30 Feb 2024 03:04:05 +0000", "Wed, 29 Feb 2023 03:04:05 +0000",
        "Mon, 29 Feb 1900 03:04:05 +0000", "Tue, 31 Apr 2024 03:04:05 +0000", "31 Jun 2024 00:00:00 +0000",
        "2024-09-31T00:00:00Z", "31 Nov 2024 00:00 +0000",
    ])
    func rejectsDaysPastTheEndOfTheMonth(_ text: String) {
        #expect(MailDate(parsing: text) == nil)
    }

    @Test func keepsComponents() {
        let date = MailDate(parsing: "Tue, 2 Jan 2024 03:04:05 -0730")
        #expect(date?.utcOffsetMinutes == -450)
        #expect(date?.day == 2)
        #expect(date?.hour == 3)
    }
}

struct DateOverflowTests {
    @Test func extremeComponentsDoNotTrap() {
        let date = MailDate(
            year: .max, month: .min, day: .max, hour: .max, minute: .max, second: .max, utcOffsetMinutes: .min)
        _ = date.secondsSince1970
        #expect(date.year == .max)
    }
}
