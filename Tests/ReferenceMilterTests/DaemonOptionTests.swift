import Foundation
import MilterTestSupport
import Testing
import _MilterCommandLine

/// The built `reference-milter daemon` checks every number and its inherited socket before it starts: a bad
/// value is a usage error (exit 2) that names the option, never a trap, a hang or a NIO precondition.
@Suite struct DaemonOptionTests {
    /// The daemon's result; any value that passed the checks would start it, so the deadline marks a failure.
    static func daemon(_ arguments: [String], environment: [String: String]? = nil) async throws -> ProcessResult {
        try await ProcessRunner.run(
            TestPaths.builtProduct("reference-milter"), ["daemon"] + arguments + ["--log-level", "error"],
            environment: environment ?? DaemonTests.cleanEnvironment, timeout: .seconds(20))
    }

    @Test(arguments: [
        (["--drain-timeout", "inf"], "--drain-timeout"), (["--drain-timeout", "-1"], "--drain-timeout"),
        (["--drain-timeout", "nan"], "--drain-timeout"), (["--classifier-timeout", "inf"], "--classifier-timeout"),
        (["--classifier-timeout", "0"], "--classifier-timeout"), (["--idle-timeout", "-1"], "--idle-timeout"),
        (["--idle-timeout=1e300"], "--idle-timeout"), (["--read-timeout", "1e300"], "--read-timeout"),
        (["--read-timeout", "inf"], "--read-timeout"), (["--threads", "0"], "--threads"),
        (["--threads", "100000"], "--threads"), (["--event-loops", "-1"], "--event-loops"),
        (["--event-loops", "0"], "--event-loops"), (["--max-connections", "0"], "--max-connections"),
        (["--max-connections", "-5"], "--max-connections"), (["--truncate", "-5"], "--truncate"),
        (["--truncate", "99999999999"], "--truncate"), (["--max-frame-size", "100"], "--max-frame-size"),
        (["--max-frame-size", "99999999999"], "--max-frame-size"), (["--metrics-wait", "0"], "--metrics-wait"),
        (["--metrics-wait", "inf"], "--metrics-wait"), (["--metrics-timeout", "0"], "--metrics-timeout"),
        (["--metrics-timeout", "86401"], "--metrics-timeout"),
        (["--metrics-max-connections", "0"], "--metrics-max-connections"),
        (["--metrics-max-connections", "1001"], "--metrics-max-connections"),
    ])
    func aBadNumberIsAUsageErrorNamingTheOption(arguments: [String], option: String) async throws {
        let result = try await Self.daemon(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains("\(option) must be"), "\(arguments): \(result.stderr)")
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Missing value"))
    }

    /// Seconds are read in decimal digits only: `0x10`, which `Double` reads as 16, and `1e3` were taken silently.
    /// Every duration option of `daemon` goes through the same check, and `test`'s `--classifier-timeout` too.
    @Test(arguments: [
        "--classifier-timeout", "--idle-timeout", "--read-timeout", "--frame-timeout", "--drain-timeout",
        "--handshake-timeout", "--metrics-wait", "--metrics-timeout",
    ])
    func secondsNotInDecimalDigitsAreAUsageError(option: String) async throws {
        for value in ["0x10", "1e1"] {
            let result = try await Self.daemon([option, value, "--metrics", "127.0.0.1:0"])
            #expect(result.status == 2, "\(option) \(value): \(result.stderr)")
            #expect(
                result.stderr.contains("\(option) must be a number from ")
                    && result.stderr.contains(" seconds, in decimal digits (such as 30 or 0.5); got \(value)"),
                "\(option) \(value): \(result.stderr)")
        }
        guard option == "--classifier-timeout" else { return }
        let test = try await ProcessRunner.run(
            TestPaths.builtProduct("reference-milter"), ["test", option, "0x10", "/nonexistent.eml"],
            timeout: .seconds(20))
        #expect(test.status == 2)
        #expect(test.stderr.contains("in decimal digits (such as 30 or 0.5); got 0x10"), "\(test.stderr)")
    }

    /// The decimal forms the check takes: digits, with a fraction after a point, and a minus sign for the range to
    /// refuse; not a plus sign.
    @Test func decimalSecondsAreRead() {
        for (text, seconds) in [("30", 30.0), ("0.5", 0.5), (".25", 0.25), ("2.", 2.0), ("-1", -1.0)] {
            #expect(SecondsArgument.isDecimal(text) && SecondsArgument(argument: text)?.seconds == seconds, "\(text)")
        }
        for text in ["0x10", "1e3", "inf", "nan", "", ".", "-", "1.2.3", " 5", "5 ", "1_000", "٣", "+3", "+-3", "--3"] {
            #expect(!SecondsArgument.isDecimal(text), "\(text)")
        }
    }

    /// `test` shares the classification options, and their checks.
    @Test func testChecksTheSharedOptions() async throws {
        let result = try await ProcessRunner.run(
            TestPaths.builtProduct("reference-milter"), ["test", "--classifier-timeout", "inf", "/nonexistent.eml"],
            timeout: .seconds(20))
        #expect(result.status == 2)
        #expect(result.stderr.contains("--classifier-timeout must be"), "\(result.stderr)")
    }

    /// A MILTER_LISTEN_FD that is not a descriptor number is a usage error that names it, not ignored.
    @Test func aListenDescriptorThatIsNotANumberIsAUsageError() async throws {
        let result = try await Self.daemon(
            [], environment: DaemonTests.cleanEnvironment.merging(["MILTER_LISTEN_FD": "three"]) { $1 })
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("MILTER_LISTEN_FD=\"three\" is not a descriptor number"), "\(result.stderr)")
    }

    /// A MILTER_READY_FD that is not a descriptor number or names one that is not open is a start-up error that
    /// names it (as MILTER_LISTEN_FD), not ignored, which left the supervisor to time out waiting for the byte.
    /// `fd:98` would be an error too, later: the readiness descriptor is checked first.
    @Test(arguments: [
        ("99", "MILTER_READY_FD=99: descriptor 99 is not open"),
        ("four", "MILTER_READY_FD=\"four\" is not a descriptor number"),
    ])
    func aReadyDescriptorThatCannotBeWrittenIsAStartUpError(value: String, message: String) async throws {
        let result = try await Self.daemon(
            ["fd:98"],
            environment: DaemonTests.cleanEnvironment.merging(["MILTER_READY_FD": value]) { $1 })
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    /// A descriptor that is not open, or open on a file rather than a listening socket, named as an address
    /// or in MILTER_LISTEN_FD.
    @Test(arguments: [
        (["fd:99"], [String: String](), "descriptor 99 is not open"),
        ([], ["MILTER_LISTEN_FD": "99"], "descriptor 99 is not open"),
        (["fd:0"], [:], "descriptor 0"),
        ([], ["MILTER_LISTEN_FD": "0"], "descriptor 0"),
    ])
    func anInheritedDescriptorThatCannotListenIsAStartUpError(
        arguments: [String], variables: [String: String], problem: String
    ) async throws {
        let result = try await Self.daemon(
            arguments, environment: DaemonTests.cleanEnvironment.merging(variables) { $1 })
        #expect(result.status == 2, "\(arguments) \(variables): \(result.stderr)")
        #expect(result.stderr.contains("cannot listen on the inherited socket"), "\(result.stderr)")
        #expect(result.stderr.contains(problem), "\(result.stderr)")
        #expect(!result.stderr.contains("Precondition") && !result.stderr.contains("Fatal error"))
    }
}
