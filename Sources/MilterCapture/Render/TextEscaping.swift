/// Escapes protocol bytes for a terminal: printable ASCII stays, everything else becomes `\r`, `\n`, `\t` or `\xNN`.
enum TextEscaping {
    private static let digits = Array("0123456789abcdef".utf8)

    static func quoted(_ bytes: some Collection<UInt8>, limit: Int = .max) -> String {
        var output: [UInt8] = []
        appendQuoted(bytes, limit: limit, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends `"escaped"` (and `...` when cut at `limit`) to `output`. Runs of bytes that need no escape are
    /// copied whole.
    static func appendQuoted(_ bytes: some Collection<UInt8>, limit: Int = .max, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        let shown = bytes.prefix(limit)
        var run = shown.startIndex
        var index = run
        while index != shown.endIndex {
            let byte = shown[index]
            let escaped = index
            shown.formIndex(after: &index)
            guard needsEscape(byte) else { continue }
            output.append(contentsOf: shown[run..<escaped])
            appendEscaped(byte, to: &output)
            run = index
        }
        output.append(contentsOf: shown[run..<index])
        output.append(UInt8(ascii: "\""))
        if bytes.count > limit { output += "...".utf8 }
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte >= 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private static func appendEscaped(_ byte: UInt8, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\r"): output.append(UInt8(ascii: "r"))
        case UInt8(ascii: "\n"): output.append(UInt8(ascii: "n"))
        case UInt8(ascii: "\t"): output.append(UInt8(ascii: "t"))
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.append(byte)
        default:
            output.append(UInt8(ascii: "x"))
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0xF)])
        }
    }

    static func hex(_ byte: UInt8) -> String {
        String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]], as: UTF8.self)
    }
}

/// Formats capture timestamps as RFC 3339 dates in UTC, without Foundation.
package enum TimestampFormatting {
    /// `2026-11-28T00:46:00.123456789Z`.
    package static func rfc3339(_ timestamp: CaptureTimestamp) -> String {
        var output: [UInt8] = []
        appendRFC3339(timestamp, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends ``rfc3339(_:)`` as bytes.
    package static func appendRFC3339(_ timestamp: CaptureTimestamp, to output: inout [UInt8]) {
        let days = Int64((Double(timestamp.seconds) / 86400).rounded(.down))
        let secondOfDay = timestamp.seconds - days * 86400
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let fields: [(Int64, Int, UInt8)] = [
            (year, 4, UInt8(ascii: "-")), (month, 2, UInt8(ascii: "-")), (day, 2, UInt8(ascii: "T")),
            (secondOfDay / 3600, 2, UInt8(ascii: ":")), (secondOfDay / 60 % 60, 2, UInt8(ascii: ":")),
            (secondOfDay % 60, 2, UInt8(ascii: ".")),
        ]
        for (value, width, separator) in fields {
            appendPadded(value, width, to: &output)
            output.append(separator)
        }
        appendDigits(UInt64(timestamp.nanoseconds), width: 9, to: &output)
        output.append(UInt8(ascii: "Z"))
    }

    /// Seconds with six decimals, for offsets within a session: `+1.000250`.
    package static func offset(from start: CaptureTimestamp, to time: CaptureTimestamp) -> String {
        var output: [UInt8] = []
        appendOffset(from: start, to: time, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends ``offset(from:to:)`` as bytes, without building strings: transcripts print one per line.
    package static func appendOffset(from start: CaptureTimestamp, to time: CaptureTimestamp, to output: inout [UInt8])
    {
        let nanoseconds = time.totalNanoseconds &- start.totalNanoseconds
        let micros = nanoseconds.magnitude / 1000
        // "+S.UUUUUU" built back to front in a small buffer, then appended at once: one capacity check per line.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buffer in
            var index = buffer.count
            index = writeDigits(micros % 1_000_000, width: 6, endingAt: index, in: buffer)
            index -= 1
            buffer[index] = UInt8(ascii: ".")
            index = writeDigits(micros / 1_000_000, width: 1, endingAt: index, in: buffer)
            index -= 1
            buffer[index] = nanoseconds < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+")
            output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[index...]))
        }
    }

    /// Appends `value` in decimal, with leading zeros up to `width` digits (at most 20).
    package static func appendDigits(_ value: UInt64, width: Int, to output: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            let start = writeDigits(value, width: min(width, 20), endingAt: buffer.count, in: buffer)
            output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start...]))
        }
    }

    /// Writes `value` in decimal with leading zeros up to `width` digits so that it ends just before `end`;
    /// returns the index of its first digit. `buffer` must have room for 20 digits before `end`.
    private static func writeDigits(
        _ value: UInt64, width: Int, endingAt end: Int, in buffer: UnsafeMutableBufferPointer<UInt8>
    ) -> Int {
        var index = end
        var rest = value
        repeat {
            index -= 1
            buffer[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
        } while rest > 0
        while end - index < width {
            index -= 1
            buffer[index] = UInt8(ascii: "0")
        }
        return index
    }

    /// Appends `value` in decimal, with a minus sign when negative.
    package static func appendSigned(_ value: Int, to output: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 21) { buffer in
            var start = writeDigits(UInt64(value.magnitude), width: 1, endingAt: buffer.count, in: buffer)
            if value < 0 {
                start -= 1
                buffer[start] = UInt8(ascii: "-")
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start...]))
        }
    }

    /// `String(value)` preceded by zeros up to `width` characters (a minus sign counts, and follows the zeros).
    private static func appendPadded(_ value: Int64, _ width: Int, to output: inout [UInt8]) {
        let sign = value < 0 ? 1 : 0
        var digits = 0
        var rest = value.magnitude
        repeat {
            digits += 1
            rest /= 10
        } while rest > 0
        output.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: max(0, width - digits - sign)))
        if sign == 1 { output.append(UInt8(ascii: "-")) }
        appendDigits(value.magnitude, width: 1, to: &output)
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
