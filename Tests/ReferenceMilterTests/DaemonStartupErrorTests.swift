import Foundation
import MilterTestSupport
import Testing

/// The daemon's fatal start-up errors on the built binary: the rules are checked before anything is
/// bound or said to be served.
@Suite(.tags(.integration)) struct DaemonStartupErrorTests {
    static func run(_ arguments: [String]) async throws -> ProcessResult {
        try await ProcessRunner.run(
            TestPaths.builtProduct("reference-milter"), ["daemon"] + arguments,
            environment: DaemonTests.cleanEnvironment, timeout: .seconds(30))
    }

    /// A rules file with an error ends the daemon (exit 2) before the metrics listener is bound: a
    /// daemon replacing another under reload-proxy said it was waiting for the metrics address, the
    /// milter "served meanwhile", before it reported the rules error.
    @Test func theRulesAreCheckedBeforeTheMetricsListener() async throws {
        let directory = try Scratch.makeDirectory("startup-rules")
        defer { Scratch.remove(directory) }
        let rules = directory.appendingPathComponent("rules.txt").path
        try TemporaryFile.write(Array("subjet contains \"x\" => reject\n".utf8), to: rules)
        let result = try await Self.run(["127.0.0.1:0", "--config", rules, "--metrics", "127.0.0.1:0"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("\(rules): line 1, column 1: unknown field 'subjet'"), "\(result.stderr)")
        #expect(!result.stderr.contains("metrics"), "\(result.stderr)")
        #expect(!result.stderr.contains("listening"), "\(result.stderr)")
    }
}
