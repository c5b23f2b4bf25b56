import MilterTestSupport
import Testing

/// Started with too few file descriptors for its event loops (`ulimit -n`), the daemon says so and exits with 2:
/// SwiftNIO ends the process (a fatal error, signal 4) when an event loop cannot get its descriptors.
@Suite struct DaemonDescriptorShortfallTests {
    @Test(arguments: [["--event-loops", "2"], ["--event-loops", "1", "--metrics", "127.0.0.1:0"]])
    func tooFewDescriptorsForTheEventLoopsIsAStartUpError(arguments: [String]) async throws {
        let result = try await ProcessRunner.run(
            "/bin/sh",
            [
                "-c", #"ulimit -n 12 && exec "$0" "$@""#, TestPaths.builtProduct("reference-milter"), "daemon",
                "127.0.0.1:0", "--log-level", "error",
            ] + arguments, environment: DaemonTests.cleanEnvironment, timeout: .seconds(20))
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("too few file descriptors to start"), "\(result.stderr)")
        #expect(result.stderr.contains("the limit is 12"), "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"), "\(result.stderr)")
    }
}
