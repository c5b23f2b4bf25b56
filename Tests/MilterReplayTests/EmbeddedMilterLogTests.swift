import MilterTestSupport
import Testing

/// The embedded reference milter's log stays out of milter-replay's output: a scenario that sends a command the
/// milter refuses on purpose passes with nothing on standard error.
@Suite struct EmbeddedMilterLogTests {
    @Test func aPassingScenarioWritesNothingToStandardError() async throws {
        let result = try await ReplayBinary.run([
            "scenario", TestPaths.root.appendingPathComponent("Examples/scenarios/reference-milter.yaml").path,
        ])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
    }
}
