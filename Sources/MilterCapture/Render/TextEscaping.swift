/// Escapes protocol bytes for a terminal: printable ASCII stays, everything else becomes `\r`, `\n`, `\t` or `\xNN`.
enum TextEscaping {
    private static let digits = Array("0123456789abcdef".utf8)

    static func quoted(_ bytes: some Collection<UInt8>, limit: Int = .max) -> String {
        var output: [UInt8] = []
        appendQuoted(bytes, limit: limit, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends `"escaped"` (and `...` when cut at `limit`) to `output`, as ``LineWriter/quoted(_:limit:)`` writes it.
    static func appendQuoted(_ bytes: some Collection<UInt8>, limit: Int = .max, to output: inout [UInt8]) {
        let capacity = LineWriter.quotedCapacity(bytes.count, limit: limit)
        let done = bytes.withContiguousStorageIfAvailable { buffer in
            LineWriter.append(to: &output, reserving: capacity) {
                $0.quoted(UnsafeRawBufferPointer(buffer), limit: limit)
                return true
            }
        }
        guard done == nil else { return }
        Array(bytes).withUnsafeBytes { raw in
            _ = LineWriter.append(to: &output, reserving: capacity) {
                $0.quoted(raw, limit: limit)
                return true
            }
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
        _ = LineWriter.append(to: &output, reserving: 48) { writer in
            if year < 0 {
                // As String(year) padded with zeros to four characters: the zeros come before the sign.
                writer.zeros(3 - String(year.magnitude).count)
                writer.byte(UInt8(ascii: "-"))
            }
            writer.decimal(year.magnitude, width: year < 0 ? 1 : 4)
            writer.byte(UInt8(ascii: "-"))
            writer.decimal(UInt64(month), width: 2)
            writer.byte(UInt8(ascii: "-"))
            writer.decimal(UInt64(day), width: 2)
            writer.byte(UInt8(ascii: "T"))
            writer.decimal(UInt64(secondOfDay / 3600), width: 2)
            writer.byte(UInt8(ascii: ":"))
            writer.decimal(UInt64(secondOfDay / 60 % 60), width: 2)
            writer.byte(UInt8(ascii: ":"))
            writer.decimal(UInt64(secondOfDay % 60), width: 2)
            writer.byte(UInt8(ascii: "."))
            writer.decimal(UInt64(timestamp.nanoseconds), width: 9)
            writer.byte(UInt8(ascii: "Z"))
            return true
        }
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
        _ = LineWriter.append(to: &output, reserving: LineWriter.offsetCapacity) {
            $0.offset(from: start, to: time)
            return true
        }
    }

    /// Appends `value` in decimal, with leading zeros up to `width` digits (at most 20).
    package static func appendDigits(_ value: UInt64, width: Int, to output: inout [UInt8]) {
        _ = LineWriter.append(to: &output, reserving: 20) {
            $0.decimal(value, width: width)
            return true
        }
    }

    /// Appends `value` in decimal, with a minus sign when negative.
    package static func appendSigned(_ value: Int, to output: inout [UInt8]) {
        _ = LineWriter.append(to: &output, reserving: 21) {
            $0.signed(value)
            return true
        }
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
