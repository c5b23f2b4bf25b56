import Foundation
import MilterTestSupport
import Testing

/// The load yardstick of `interop/`: the C load client and milter-replay complete every message
/// against the minimal epoll milter, with and without NR on every stage. Speed is measured by
/// scripts/load-vs-c-client.sh, never asserted here.
@Suite("C load client and milter-replay against the null milter")
struct NullMilterTests {
    /// Starts `interop/nullmilter` (`--nr` with `noReply`), runs `body` with it, stops it.
    static func withNullMilter(noReply: Bool, _ body: (ScratchPeer) async throws -> Void) async throws {
        let binary = try await CProgram.shared.binary(source: "interop/nullmilter/nullmilter.c", libraries: [])
        let milter = try await ScratchPeer.start("nullmilter") { port, directory in
            try BackgroundProcess.start(
                binary.path, (noReply ? ["--nr"] : []) + [String(port)],
                logFile: directory.appendingPathComponent("nullmilter.log"))
        }
        try await withPeer(milter, body)
    }

    @Test(arguments: [false, true])
    func everyMessageCompletes(noReply: Bool) async throws {
        guard Interop.require(.libmilter) else { return }
        let client = try await CProgram.shared.binary(
            source: "interop/loadclient/loadclient.c", libraries: ["-lpthread"])
        try await Self.withNullMilter(noReply: noReply) { milter in
            let loaded = try await ProcessRunner.run(
                client.path, ["-c", "4", "-m", "5", "-n", "103", "-t", "20", "127.0.0.1", String(milter.port)],
                timeout: .seconds(60))
            #expect(loaded.status == 0, "\(loaded.stderr)")
            #expect(loaded.stdout.contains("connections=4 messages=103 failed_connections=0"))
            let replayed = try await MilterReplayBinary.run([
                "--target", "127.0.0.1:\(milter.port)", "--connections", "4", "--messages-per-connection", "5",
                "--repeat", "103", "--json", TestPaths.fixtures("replay/accept.eml").path,
            ])
            #expect(replayed.status == 0, "\(replayed.stderr)")
            let summary = try #require(try MilterReplayBinary.jsonLines(replayed.stdout).last)
            #expect(summary["messages"] as? Int == 103)
            #expect(summary["verdicts"] as? [String: Int] == ["accept": 103])
            #expect(summary["findings"] as? [String: Int] == [:])
        }
    }
}
