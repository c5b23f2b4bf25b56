import MilterTestSupport
import Testing

/// `--rate` (messages per second) is read in decimal digits only, as the seconds options are: `0x10` (which
/// `Double` reads as 16), `1e3`, `inf`, `nan` and `+5` were taken as numbers.
struct DecimalRateTests {
    /// Every form but decimal digits is refused with the forms taken; `-1` and `0` with the range only.
    @Test(arguments: ["0x10", "1e3", "1e-9", "inf", "nan", "+5", "", " 5", "-1", "0"])
    func aRateNotInDecimalDigitsOrOutOfRangeIsAUsageError(value: String) async throws {
        let arguments = ["--rate", value, "/nonexistent.eml"]
        let result = try await ReplayBinary.run(arguments, timeout: .seconds(60))
        let range = "--rate must be a number from 0.001 to 1000000 messages per second"
        let expected =
            value == "-1" || value == "0"
            ? "\(range); got \(value)\n" : "\(range), in decimal digits (such as 30 or 0.5); got \(value)\n"
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
    }

    /// The decimal forms are taken: the run goes on to the input, which is not there.
    @Test(arguments: ["50", "0.5", ".25", "1000000"])
    func aRateInDecimalDigitsIsTaken(value: String) async throws {
        let arguments = ["--rate", value, "/nonexistent.eml"]
        let result = try await ReplayBinary.run(arguments, timeout: .seconds(60))
        #expect(!result.stderr.contains("--rate"), "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains("/nonexistent.eml"), "\(arguments): \(result.stderr)")
    }
}
