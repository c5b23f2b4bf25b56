import Foundation
import MilterProtocol
import MilterTestSupport
import Testing

/// `scenario --json` and `conformance --json` carry a finding's commands sent without a reply
/// (`sentWithoutReply`, `sentWithoutReplyMore`) as replay's `--json` does, not only in their text.
struct SentWithoutReplyJSONTests {
    /// A milter that negotiates no reply for HELO and closes the connection on HELO.
    static func milter() async throws -> ScriptedMilter {
        try await ScriptedMilter(
            script: Scripts.wellBehaved(answer: Scripts.answer(flags: [.noReplyHelo])) { command in
                command.id == .helo ? [.close] : nil
            })
    }

    /// `[{"command": "HELO", "count": 1}]` in `object`, and nothing more.
    static func namesHelo(_ object: [String: Any]) -> Bool {
        guard let runs = object["sentWithoutReply"] as? [[String: Any]], runs.count == 1 else { return false }
        return runs[0]["command"] as? String == "HELO" && runs[0]["count"] as? Int == 1
            && object["sentWithoutReplyMore"] as? Int == 0
    }

    @Test func aScenarioCheckOnAFindingNamesHeloInJSON() async throws {
        let directory = try Scratch.makeDirectory("scenario-sent-without-reply")
        defer { Scratch.remove(directory) }
        let file = directory.appendingPathComponent("helo.yaml")
        try """
        id: helo.dies
        steps:
          - connect
          - helo: client.example.test
          - mail: a@example.org
        """.write(to: file, atomically: true, encoding: .utf8)
        let milter = try await Self.milter()
        let result = try await ReplayBinary.run(
            ["scenario", file.path, "--json", "--target", "127.0.0.1:\(milter.port)"])
        await milter.stop()
        #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
        let line = try #require(result.stdout.split(separator: "\n").first)
        let scenario = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let checks = try #require(scenario["checks"] as? [[String: Any]], "\(line)")
        let failed = try #require(checks.first { $0["passed"] as? Bool == false }, "\(line)")
        #expect(failed["step"] as? String == "mail", "\(line)")
        #expect(Self.namesHelo(failed), "\(line)")
        // A check on no finding has the keys, empty.
        let passed = checks.filter { $0["passed"] as? Bool == true }
        #expect(passed.allSatisfy { ($0["sentWithoutReply"] as? [Any])?.isEmpty == true }, "\(line)")
    }

    /// `event.helo-nr` against a milter that asks for NR_HELO and dies on HELO: the case fails at its `listen`
    /// after HELO, and names HELO.
    @Test func aConformanceCaseFailedOnAFindingNamesHeloInJSON() async throws {
        let milter = try await Self.milter()
        let result = try await ReplayBinary.run(
            ["conformance", "--json", "--only", "event.helo-nr", "--target", "127.0.0.1:\(milter.port)"],
            timeout: .seconds(120))
        await milter.stop()
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
            "\(result.stdout)\n\(result.stderr)")
        let cases = try #require(json["cases"] as? [[String: Any]], "\(result.stdout)")
        let helo = try #require(cases.first { $0["id"] as? String == "event.helo-nr" }, "\(result.stdout)")
        #expect(helo["status"] as? String == "fail", "\(helo)")
        #expect(Self.namesHelo(helo), "\(helo)")
    }
}
