import MilterClient
import MilterProtocol
import MilterReplayKit
import MilterTestSupport

/// Runs a scenario text against a scripted milter through MilterReplayKit.
enum ScenarioHarness {
    /// The outcome of the first scenario of `yaml` played against a milter following `script`.
    static func run(_ yaml: String, against script: @escaping ScriptedMilter.Script) async throws -> ScenarioOutcome {
        let milter = try await ScriptedMilter(script: script)
        let scenario = try ScenarioParser.parse(yaml, file: "case.yaml")[0]
        let outcome = await ScenarioRunner.run(
            scenario, target: .inet(host: "127.0.0.1", port: milter.port),
            options: ScenarioRunOptions(rawWait: .seconds(10)))
        await milter.stop()
        return outcome
    }

    /// A milter that negotiates everything, continues, and answers end of message with `replies`.
    static func endOfMessage(_ replies: [MilterReply], answer: MilterReply = Scripts.answer()) -> ScriptedMilter.Script
    {
        Scripts.wellBehaved(answer: answer, endOfMessage: replies.map { .reply($0) })
    }

    /// One message from connect to quit, with `expect` (a YAML flow mapping) on the message step.
    static func message(expect: String) -> String {
        """
        steps:
          - connect
          - helo
          - message: {from: a@example.org, to: [b@example.org, c@example.org]}
            expect: \(expect)
          - quit
        """
    }
}
