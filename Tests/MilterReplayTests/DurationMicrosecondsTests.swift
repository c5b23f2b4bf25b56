import Testing

@testable import MilterReplayKit

/// ``Swift/Duration/microseconds`` reads a short duration from its 64-bit attoseconds and a long one from its
/// components: both ways give whole microseconds rounded toward zero, on either side of the ±2⁶³ attoseconds
/// (about 9.2 s) where the short way stops.
@Suite struct DurationMicrosecondsTests {
    static let attoseconds: [Int128] = [
        0, 1, 999_999_999_999, 1_000_000_000_000, 1_000_000_000_001, 123_456_789_012_345_678,
        Int128(Int64.max) - 1, Int128(Int64.max), Int128(Int64.max) + 1, Int128(Int64.max) + 1_000_000_000_000,
        3_600 * 1_000_000_000_000_000_000 + 999_999_999_999,
    ]

    @Test(arguments: attoseconds)
    func wholeMicrosecondsTowardZero(_ attoseconds: Int128) {
        for value in [attoseconds, -attoseconds] {
            let duration = Duration(
                secondsComponent: Int64(value / 1_000_000_000_000_000_000),
                attosecondsComponent: Int64(value % 1_000_000_000_000_000_000))
            #expect(duration.microseconds == Int64(value / 1_000_000_000_000), "\(value) attoseconds")
        }
    }

    @Test func latenciesOfARun() {
        #expect(Duration.microseconds(1_234).microseconds == 1_234)
        #expect(Duration.nanoseconds(1_999).microseconds == 1)
        #expect(Duration.nanoseconds(-1_999).microseconds == -1)
        #expect(Duration.seconds(10).microseconds == 10_000_000)
        #expect(Duration.seconds(-10).microseconds == -10_000_000)
    }
}
