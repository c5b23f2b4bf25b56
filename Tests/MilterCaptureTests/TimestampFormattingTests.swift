import MilterCapture
import Testing

/// Numbers and times in transcripts are written as bytes, without String formatting; they must read exactly as
/// the formatted strings would.
@Suite struct TimestampFormattingTests {
    @Test(
        arguments: [
            (0, 0, 0, 0, "+0.000000"), (10, 0, 11, 250_000, "+1.000250"), (10, 500_000_000, 10, 0, "-0.500000"),
            (0, 0, 86_399, 999_999_999, "+86399.999999"), (5, 999, 5, 1_999, "+0.000001"),
        ] as [(Int64, UInt32, Int64, UInt32, String)])
    func offsets(startSeconds: Int64, startNanos: UInt32, seconds: Int64, nanos: UInt32, text: String) {
        let start = CaptureTimestamp(seconds: startSeconds, nanoseconds: startNanos)
        let time = CaptureTimestamp(seconds: seconds, nanoseconds: nanos)
        #expect(TimestampFormatting.offset(from: start, to: time) == text)
    }

    @Test(
        arguments: [
            (UInt64(0), 1, "0"), (7, 1, "7"), (42, 6, "000042"), (123_456_789, 9, "123456789"), (5, 9, "000000005"),
            (UInt64.max, 1, "18446744073709551615"), (UInt64.max, 25, "18446744073709551615"),
        ] as [(UInt64, Int, String)])
    func digits(value: UInt64, width: Int, text: String) {
        var output: [UInt8] = Array("x".utf8)
        TimestampFormatting.appendDigits(value, width: width, to: &output)
        #expect(String(decoding: output, as: UTF8.self) == "x" + text)
    }

    @Test(arguments: [0, 1, -1, 65_535, Int.max, Int.min + 1])
    func signed(value: Int) {
        var output: [UInt8] = []
        TimestampFormatting.appendSigned(value, to: &output)
        #expect(String(decoding: output, as: UTF8.self) == String(value))
    }

    @Test func rfc3339() {
        #expect(
            TimestampFormatting.rfc3339(CaptureTimestamp(seconds: 0, nanoseconds: 5))
                == "1970-01-01T00:00:00.000000005Z")
        #expect(
            TimestampFormatting.rfc3339(CaptureTimestamp(seconds: 1_795_827_960, nanoseconds: 123_456_789))
                == "2026-11-28T01:06:00.123456789Z")
        #expect(
            TimestampFormatting.rfc3339(CaptureTimestamp(seconds: -1, nanoseconds: 999_999_999))
                == "1969-12-31T23:59:59.999999999Z")
        #expect(
            TimestampFormatting.rfc3339(CaptureTimestamp(seconds: -62_009_366_400, nanoseconds: 0))
                == "0005-01-01T00:00:00.000000000Z")
    }
}
