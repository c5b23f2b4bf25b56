import MilterClient
import MilterReplayKit
import MilterTestSupport

/// Runs catalogue cases against a scripted milter, as `milter-replay conformance` does.
enum ConformanceHarness {
    /// The results of the cases `only` selects, against a milter playing `script`, with `profile` (Postfix by default).
    static func run(
        _ only: [String], script: @escaping ScriptedMilter.Script, profile: MTAProfile = .postfix
    ) async throws -> [ConformanceResult] {
        let milter = try await ScriptedMilter(script: script)
        defer { Task { await milter.stop() } }
        var configuration = MilterClientConfiguration()
        configuration.profile = profile
        configuration.timeouts = MilterTimeouts(all: .seconds(5))
        let suite = ConformanceSuite(address: .inet(host: "127.0.0.1", port: milter.port), configuration: configuration)
        let probe = try await suite.probe()
        let context = CaseContext(profile: profile, asked: probe.asked)
        var results: [ConformanceResult] = []
        for testCase in try ConformanceRun.select(only) { results.append(await suite.run(testCase, context: context)) }
        return results
    }
}
