import MilterTestSupport
import Testing

/// Every numeric option of the built `milter-replay` is checked before anything runs: a value out of range,
/// infinite or negative is a usage error (exit 2) that names the option, never a trap or a hang.
struct NumericOptionTests {
    @Test(arguments: [
        (["--timeout", "inf"], "--timeout"), (["--timeout", "1e300"], "--timeout"), (["--timeout", "-1"], "--timeout"),
        (["--timeout=-1"], "--timeout"), (["--timeout", "nan"], "--timeout"), (["--timeout", "0"], "--timeout"),
        (["--duration", "inf"], "--duration"), (["--duration", "-2"], "--duration"),
        (["--rate", "1e-12", "--duration", "2"], "--rate"), (["--rate", "1e-9"], "--rate"),
        (["--rate", "inf"], "--rate"), (["--connections", "0"], "--connections"),
        (["--connections", "-3"], "--connections"), (["--connections", "100000000"], "--connections"),
        (["--repeat", "-1"], "--repeat"), (["--repeat", "9223372036854775807"], "--repeat"),
        (["--messages-per-connection", "0"], "--messages-per-connection"), (["--threads", "100000"], "--threads"),
        (["--repeat", "5", "--duration", "1"], "--repeat and --duration"),
        (["--pcap", "x.pcap", "--port", "0"], "--port"), (["--pcap", "x.pcap", "--port", "-1"], "--port"),
        (["--observe-after-quit", "-1"], "--observe-after-quit"),
        (["--observe-after-quit", "inf"], "--observe-after-quit"),
        (["--observe-after-quit", "3601"], "--observe-after-quit"),
    ])
    func aBadValueIsAUsageErrorNamingTheOption(arguments: [String], option: String) async throws {
        let result = try await ReplayBinary.run(arguments + ["/nonexistent.eml"], timeout: .seconds(20))
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(option), "\(arguments): \(result.stderr)")
        #expect(!result.stderr.contains("Missing value"))
    }

    @Test(arguments: [
        [
            "record", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1", "--write", "/tmp/x", "--idle-timeout",
            "inf",
        ],
        [
            "record", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1", "--write", "/tmp/x", "--connect-timeout",
            "-1",
        ],
        [
            "record", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1", "--write", "/tmp/x", "--max-connections",
            "0",
        ],
    ])
    func recordChecksItsNumbersToo(arguments: [String]) async throws {
        let result = try await ReplayBinary.run(arguments, timeout: .seconds(20))
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains("must be"), "\(arguments): \(result.stderr)")
    }

    /// `--rate 0.001 --duration 1` sends the first message and stops at the duration instead of waiting 1,000
    /// seconds for the second. The deadline is generous (a loaded machine can take seconds to start a process)
    /// and still far below what the old behaviour took.
    @Test func aSlowRateStopsAtTheDuration() async throws {
        let result = try await ReplayBinary.run(
            ["--rate", "0.001", "--duration", "1", "--quiet", ReplayBinary.fixture("replay/accept.eml")],
            timeout: .seconds(120))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("1 message") || result.stdout.contains("messages: 1"), "\(result.stdout)")
    }
}
