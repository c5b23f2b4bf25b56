/// Escapes protocol bytes for a terminal: printable ASCII stays, everything else becomes `\r`, `\n`, `\t` or `\xNN`.
enum TextEscaping {
    static func quoted(_ bytes: some Collection<UInt8>, limit: Int = .max) -> String {
        var result = "\""
        for byte in bytes.prefix(limit) { append(byte, to: &result) }
        result += "\""
        if bytes.count > limit { result += "..." }
        return result
    }

    private static func append(_ byte: UInt8, to result: inout String) {
        switch byte {
        case UInt8(ascii: "\""): result += "\\\""
        case UInt8(ascii: "\\"): result += "\\\\"
        case UInt8(ascii: "\r"): result += "\\r"
        case UInt8(ascii: "\n"): result += "\\n"
        case UInt8(ascii: "\t"): result += "\\t"
        case 0x20..<0x7F: result.unicodeScalars.append(Unicode.Scalar(byte))
        default: result += "\\x" + hex(byte)
        }
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}

/// Formats capture timestamps as RFC 3339 dates in UTC, without Foundation.
enum TimestampFormatting {
    /// `2026-11-28T00:46:00.123456789Z`.
    static func rfc3339(_ timestamp: CaptureTimestamp) -> String {
        let days = Int64((Double(timestamp.seconds) / 86400).rounded(.down))
        let secondOfDay = timestamp.seconds - days * 86400
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let fraction = String(timestamp.nanoseconds)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))."
            + String(repeating: "0", count: 9 - fraction.count) + fraction + "Z"
    }

    /// Seconds with six decimals, for offsets within a session: `+1.000250`.
    static func offset(from start: CaptureTimestamp, to time: CaptureTimestamp) -> String {
        let nanoseconds = time.totalNanoseconds - start.totalNanoseconds
        let sign = nanoseconds < 0 ? "-" : "+"
        let micros = abs(nanoseconds) / 1000
        return "\(sign)\(micros / 1_000_000).\(pad(micros % 1_000_000, 6))"
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
    private static func civilDate(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
