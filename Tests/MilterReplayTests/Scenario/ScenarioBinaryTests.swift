import Foundation
import MilterTestSupport
import Testing

/// `milter-replay scenario` as a user runs it: the built binary, the embedded reference milter, the exit codes,
/// and the JSON and JUnit reports.
struct ScenarioBinaryTests {
    static let example = TestPaths.root.appendingPathComponent("Examples/scenarios/reference-milter.yaml").path

    @Test func theExampleScenariosPassOnTheEmbeddedReferenceMilter() async throws {
        let directory = try Scratch.makeDirectory("scenario-junit")
        defer { Scratch.remove(directory) }
        let junit = directory.appendingPathComponent("report.xml").path
        let result = try await ReplayBinary.run(["scenario", Self.example, "--junit", junit])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("PASS   example.reject-by-subject"), "\(result.stdout)")
        #expect(result.stdout.contains("scenarios: 5  (pass 5, fail 0, skip 0, error 0)"), "\(result.stdout)")
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.contains("tests=\"5\" failures=\"0\" errors=\"0\" skipped=\"0\""), "\(xml)")
        #expect(xml.contains("<testcase classname=\"example\" name=\"example.bad-frame\""), "\(xml)")
    }

    @Test func aFailedExpectationExitsOneWithItsPlaceInEveryReport() async throws {
        let directory = try Scratch.makeDirectory("scenario-fail")
        defer { Scratch.remove(directory) }
        let file = directory.appendingPathComponent("wrong.yaml")
        try """
        id: wrong.header
        steps:
          - message: {from: a@example.org, to: b@example.org}
            expect:
              verdict: reject
              modifications: [{add-header: {name: X-Spam}}]
        """.write(to: file, atomically: true, encoding: .utf8)
        let junit = directory.appendingPathComponent("report.xml").path
        let text = try await ReplayBinary.run(["scenario", file.path, "--junit", junit])
        #expect(text.status == 1, "\(text.stdout)\n\(text.stderr)")
        #expect(text.stdout.contains("FAIL   wrong.header"), "\(text.stdout)")
        #expect(text.stdout.contains("wrong.yaml:3:5: message: verdict: expected reject, got accept"), "\(text.stdout)")
        #expect(
            text.stdout.contains("add-header X-Spam: expected ADDHEADER X-Spam; got ADDHEADER X-Reference-Milter"),
            "\(text.stdout)")
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.contains("<failure type=\"must\" message=\""), "\(xml)")
        let json = try await ReplayBinary.run(["scenario", file.path, "--json"])
        #expect(json.status == 1)
        let lines = json.stdout.split(separator: "\n")
        #expect(lines.count == 2, "\(json.stdout)")
        let scenario = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(scenario?["status"] as? String == "fail")
        #expect(scenario?["id"] as? String == "wrong.header")
        let checks = scenario?["checks"] as? [[String: Any]] ?? []
        #expect(checks.contains { $0["location"] as? String == "\(file.path):3:5" && $0["passed"] as? Bool == false })
        let summary = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any]
        #expect(summary?["exitCode"] as? Int == 1)
    }

    @Test func aScenarioFileWithAMistakeIsAUsageErrorWithItsPlace() async throws {
        let directory = try Scratch.makeDirectory("scenario-usage")
        defer { Scratch.remove(directory) }
        let file = directory.appendingPathComponent("typo.yaml")
        try "steps:\n  - connect\n  - rcpt: b@example.org\n    expect: {verdict: refuse}\n".write(
            to: file, atomically: true, encoding: .utf8)
        let result = try await ReplayBinary.run(["scenario", file.path])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("typo.yaml:4:23: unknown verdict 'refuse'"), "\(result.stderr)")
        #expect(result.stdout.isEmpty, "the run should not have started: \(result.stdout)")
    }

    /// `--verbose` and `--quiet` together are a usage error, as in an .eml replay (the run went on with one of them).
    @Test func verboseAndQuietTogetherAreAUsageError() async throws {
        let result = try await ReplayBinary.run(["scenario", Self.example, "--verbose", "--quiet"])
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("--verbose lists every expectation, --quiet only the summary"))
        #expect(result.stdout.isEmpty, "the run should not have started: \(result.stdout)")
    }

    @Test func anUnreachableTargetExitsThree() async throws {
        let port = try FreePort.allocate()
        let result = try await ReplayBinary.run(["scenario", Self.example, "--target", "127.0.0.1:\(port)"])
        #expect(result.status == 3, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("cannot connect to 127.0.0.1:\(port)"), "\(result.stdout)")
    }
}
