import MilterTestSupport
import Testing

/// Started with too few file descriptors for the event loops of `--threads` (`ulimit -n`), milter-replay says so
/// and exits with 2 before it connects: SwiftNIO ends the process (a fatal error, signal 4) when an event loop
/// cannot get its descriptors.
@Suite struct DescriptorShortfallTests {
    @Test(arguments: [["--threads", "2"], ["--threads", "1"]])
    func tooFewDescriptorsForTheEventLoopsIsAUsageError(threads: [String]) async throws {
        let result = try await ProcessRunner.run(
            "/bin/sh",
            [
                "-c", #"ulimit -n 10 && exec "$0" "$@""#, TestPaths.builtProduct("milter-replay"), "--target",
                "127.0.0.1:9", "--quiet", ReplayBinary.fixture("eml/plain-ascii.eml"),
            ] + threads, timeout: .seconds(30))
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("milter-replay: too few file descriptors to start"), "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"), "\(result.stderr)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
    }
}
