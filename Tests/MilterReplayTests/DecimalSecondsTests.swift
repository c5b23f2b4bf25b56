import MilterTestSupport
import Testing

/// Every option of the built `milter-replay` that takes seconds reads them in decimal digits only, as
/// reference-milter's do: `0x10` (which `Double` reads as 16), `1e3`, `inf` and `nan` were taken as numbers.
struct DecimalSecondsTests {
    /// An option, its range as the error gives it, and the command line around it (a subcommand, and what makes
    /// the run end at once if the value were taken: an input or a milter that are not there).
    struct SecondsOption: Sendable, CustomStringConvertible {
        let name: String
        let range: String
        let before: [String]
        let after: [String]
        var description: String { (before.prefix(1) + [name]).joined(separator: " ") }
    }

    static let options: [SecondsOption] = {
        let replay = (before: [String](), after: ["/nonexistent.eml"])
        let record = (
            before: ["record", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1"],
            after: ["--write", "/nonexistent/x.pcapng"]
        )
        return [
            SecondsOption(name: "--timeout", range: "0.001 to 86400", before: replay.before, after: replay.after),
            SecondsOption(name: "--duration", range: "0.001 to 604800", before: replay.before, after: replay.after),
            SecondsOption(
                name: "--observe-after-quit", range: "0 to 3600", before: replay.before, after: replay.after),
            SecondsOption(
                name: "--start-timeout", range: "0.001 to 86400", before: replay.before, after: replay.after),
            SecondsOption(
                name: "--timeout", range: "0.001 to 86400", before: ["scenario"], after: ["/nonexistent.yaml"]),
            SecondsOption(
                name: "--timeout", range: "0.001 to 86400", before: ["conformance", "--target", "127.0.0.1:1"],
                after: []),
            SecondsOption(
                name: "--connect-timeout", range: "0.001 to 86400", before: record.before, after: record.after),
            SecondsOption(
                name: "--idle-timeout", range: "0.001 to 86400", before: record.before, after: record.after),
        ]
    }()

    /// `0x10`, `1e3`, `inf`, `nan`, `+5` and the empty value are refused with the forms taken; `-1` with the range.
    @Test(arguments: options, ["0x10", "1e3", "inf", "nan", "+5", "-1", ""])
    func aValueNotInDecimalDigitsOrOutOfRangeIsAUsageError(option: SecondsOption, value: String) async throws {
        let arguments = option.before + [option.name, value] + option.after
        let result = try await ReplayBinary.run(arguments, timeout: .seconds(60))
        let expected =
            value == "-1"
            ? "\(option.name) must be a number from \(option.range) seconds; got -1"
            : "\(option.name) must be a number from \(option.range) seconds, in decimal digits (such as 30 or 0.5); "
                + "got \(value)"
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
    }

    /// The help shows a default as written, not the value's structure.
    @Test func theHelpShowsTheDefaultSeconds() async throws {
        let result = try await ReplayBinary.run(["record", "--help"], timeout: .seconds(60))
        let help = result.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("0.001 to 86400. (default: 10)"), "\(help)")
        #expect(help.contains("0.001 to 86400. (default: 600)"), "\(help)")
        #expect(!help.contains("SecondsArgument"), "\(help)")
    }
}
