import Foundation
import MilterTestSupport
import Testing

/// The check both null milters of `interop/` (C and SwiftNIO) must pass: the C load client and
/// milter-replay each complete 103 messages over 4 connections against the milter at `port`, every
/// one accepted, with no finding.
func expectEveryMessageCompletes(port: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let client = try await CProgram.shared.binary(source: "interop/loadclient/loadclient.c", libraries: ["-lpthread"])
    let loaded = try await ProcessRunner.run(
        client.path, ["-c", "4", "-m", "5", "-n", "103", "-t", "20", "127.0.0.1", String(port)],
        timeout: .seconds(60))
    #expect(loaded.status == 0, "\(loaded.stderr)", sourceLocation: sourceLocation)
    #expect(
        loaded.stdout.contains("connections=4 messages=103 failed_connections=0"), sourceLocation: sourceLocation)
    let replayed = try await MilterReplayBinary.run([
        "--target", "127.0.0.1:\(port)", "--connections", "4", "--messages-per-connection", "5",
        "--repeat", "103", "--json", TestPaths.fixtures("replay/accept.eml").path,
    ])
    #expect(replayed.status == 0, "\(replayed.stderr)", sourceLocation: sourceLocation)
    let summary = try #require(try MilterReplayBinary.jsonLines(replayed.stdout).last, sourceLocation: sourceLocation)
    #expect(summary["messages"] as? Int == 103, sourceLocation: sourceLocation)
    #expect(summary["verdicts"] as? [String: Int] == ["accept": 103], sourceLocation: sourceLocation)
    #expect(summary["findings"] as? [String: Int] == [:], sourceLocation: sourceLocation)
}
