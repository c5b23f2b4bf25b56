import MilterProtocol
import MilterTestSupport
import Testing

/// `milter-replay --timeout 10` against a milter that answers end of message with PROGRESS forever:
/// the step ends at its deadline (twice the timeout) with a finding that says so, instead of
/// waiting forever as before. The milter runs in the test process: each of its replies, and each PROGRESS
/// 100 ms after the last, has 10 s to come however starved the process is, and no earlier step can time out.
@Suite(.tags(.integration), .timeLimit(.minutes(10)), .timingSensitive) struct EndlessProgressTests {
    @Test func endlessProgressEndsAtTheStepDeadline() async throws {
        let endless = Array(
            repeating: [ScriptedMilter.Action.reply(.progress), .pause(.milliseconds(100))], count: 3_000)
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved(endOfMessage: endless.flatMap { $0 }))
        let result = try await ReplayBinary.run(
            ["--target", "127.0.0.1:\(milter.port)", "--timeout", "10", NotAMilterTests.accept], timeout: .seconds(300))
        await milter.stop()
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("deadline at BODYEOB"), "\(result.stdout)")
        #expect(result.stdout.contains("no final reply within the step's deadline of 20 s"), "\(result.stdout)")
    }
}
