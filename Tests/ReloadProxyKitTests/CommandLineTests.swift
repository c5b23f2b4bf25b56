import Foundation
import MilterTestSupport
import Testing

/// reload-proxy's command line on the built binary: every usage error exits 2 with its reason, before
/// any child is started or retried.
@Suite struct CommandLineTests {
    @Test(arguments: [
        ([], "give the daemon to run"),
        (["--ready-timeout", "-1", "true"], "timeouts must be positive seconds"),
        (["--stop-timeout", "inf", "true"], "timeouts must be positive seconds"),
        (["--max-backoff", "nan", "true"], "timeouts must be positive seconds"),
        (["--bogus"], "unknown option --bogus"),
        (["/nonexistent/milter-daemon"], "cannot run /nonexistent/milter-daemon: No such file or directory"),
        (["no-such-milter-daemon-here"], "cannot run no-such-milter-daemon-here: not found in PATH"),
        (["--listen", "nowhere", "true"], "bad --listen address nowhere"),
        (["--log-level", "loud", "true"], "unknown log level loud"),
    ])
    func usageErrorsExitTwo(_ arguments: [String], _ reason: String) async throws {
        let result = try await ProcessRunner.run(ProxyProcess.binary("reload-proxy"), arguments, timeout: .seconds(60))
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(reason), "\(arguments): \(result.stderr)")
    }

    @Test func aFileThatCannotRunIsRefusedAtOnce() async throws {
        let directory = try Scratch.makeDirectory("reload-proxy-cli")
        defer { Scratch.remove(directory) }
        let path = directory.appendingPathComponent("not-a-program").path
        try TemporaryFile.write(Array("not a program\n".utf8), to: path)
        let result = try await ProcessRunner.run(
            ProxyProcess.binary("reload-proxy"), ["--listen", "127.0.0.1:0", path], timeout: .seconds(60))
        #expect(result.status == 2)
        #expect(result.stderr.contains("cannot run \(path): not executable"), "\(result.stderr)")
    }

    @Test func helpIsNotTakenForTheDaemon() async throws {
        let result = try await ProcessRunner.run(ProxyProcess.binary("reload-proxy"), ["--help"], timeout: .seconds(60))
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE: reload-proxy"))
    }
}
