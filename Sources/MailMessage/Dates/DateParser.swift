/// A forgiving date parser: it reads tokens in any common order and checks the result.
enum DateParser {
    static func parse(_ text: ArraySlice<UInt8>) -> MailDate? {
        var fields = DateFields()
        for token in DateTokenizer.tokenize(text) { fields.consume(token) }
        return fields.date()
    }
}

/// The parts of a date found so far.
struct DateFields {
    var year: Int?
    var month: Int?
    var day: Int?
    var time: (hour: Int, minute: Int, second: Int)?
    var offset: Int?
    var isPM = false
    var isAM = false

    mutating func consume(_ token: DateToken) {
        switch token {
        case .number(let value, let digits): consumeNumber(value, digits: digits)
        case .time(let hour, let minute, let second): if time == nil { time = (hour, minute, second) }
        case .offset(let minutes): if offset == nil { offset = minutes }
        case .word(let word): consumeWord(word)
        }
    }

    private mutating func consumeNumber(_ value: Int, digits: Int) {
        if digits >= 3 {
            if year == nil { year = digits == 3 ? value + 1900 : value }
        } else if year != nil, day == nil {
            // Year first, as in ISO 8601: month then day.
            if month == nil { month = value } else { day = value }
        } else if day == nil {
            day = value
        } else if month == nil, value <= 12 {
            month = value
        } else if year == nil {
            year = value
        }
    }

    private mutating func consumeWord(_ word: String) {
        if let index = DateNames.month(word), month == nil {
            month = index
        } else if word == "pm" {
            isPM = true
        } else if word == "am" {
            isAM = true
        } else if offset == nil, let zone = DateNames.zoneOffset(word) {
            offset = zone
        }
    }

    func date() -> MailDate? {
        guard var year, let month, let day else { return nil }
        if year < 50 { year += 2000 } else if year < 100 { year += 1900 }
        var (hour, minute, second) = time ?? (0, 0, 0)
        if isPM, hour < 12 { hour += 12 }
        if isAM, hour == 12 { hour = 0 }
        guard (1...12).contains(month), (0...23).contains(hour), (0...59).contains(minute),
            (0...60).contains(second), (1...9999).contains(year),
            (1...Self.daysInMonth(month, year: year)).contains(day)
        else { return nil }
        return MailDate(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second,
            utcOffsetMinutes: offset ?? 0)
    }

    /// The length of a month in the proleptic Gregorian calendar: a 30 February or 31 April is no date.
    static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
