import MilterTestSupport
import Testing

/// A target nobody listens on: one line in words and exit 3, at once, even under load; no message counted.
struct UnreachableTargetTests {
    static let accept = ReplayBinary.fixture("replay/accept.eml")

    @Test func aClosedPortSaysConnectionRefused() async throws {
        let port = try FreePort.allocate()
        let result = try await ReplayBinary.run(["--target", "127.0.0.1:\(port)", Self.accept])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("cannot connect to 127.0.0.1:\(port): connection refused"), "\(result.stderr)")
        #expect(!result.stderr.contains("errno"), "\(result.stderr)")
        #expect(!result.stdout.contains("throughput"), "\(result.stdout)")
    }

    /// Under load with `--duration`, a closed port stops the run at the first failure instead of counting
    /// failed connections as messages for the whole duration; the deadline is the check.
    @Test func underLoadAClosedPortFailsFast() async throws {
        let port = try FreePort.allocate()
        let result = try await ReplayBinary.run(
            [
                "--target", "127.0.0.1:\(port)", "--connections", "8", "--duration", "60", "--quiet",
                Self.accept,
            ], timeout: .seconds(20))
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(lines.first?.contains("connection refused") == true, "\(result.stderr)")
    }

    /// A capture replayed against a closed port, streamed or held in memory for `--duration`: the same one line.
    @Test(arguments: [[], ["--duration", "60", "--connections", "4"]])
    func aCaptureReplayAgainstAClosedPortFailsFast(load: [String]) async throws {
        let port = try FreePort.allocate()
        let capture = ReplayBinary.fixture("pcap/postfix-cmilter-any-sll2.pcap")
        let result = try await ReplayBinary.run(
            ["--pcap", capture, "--target", "127.0.0.1:\(port)"] + load, timeout: .seconds(20))
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        #expect(result.stderr == "milter-replay: cannot connect to 127.0.0.1:\(port): connection refused\n")
    }
}
