import Foundation
import MilterTestSupport
import Testing

/// An envelope address with a NUL cannot be sent to the milter: the MTA refuses it itself, and the message is an
/// input error, not the milter's reject (`--expect reject` does not pass), nor a connection failure.
struct EnvelopeNULTests {
    static let nulRecipient = "From: a@example.org\r\nTo: b\0ob@example.net\r\nSubject: x\r\n\r\nbody\r\n"

    @Test(arguments: [
        ("From: a@example.org\r\nTo: b\0ob@example.net\r\n", "an envelope recipient contains NUL"),
        ("From: a@exa\0mple.org\r\nTo: bob@example.net\r\n", "the envelope sender contains NUL"),
    ])
    func aNULInAnAddressIsAnInputError(headers: String, words: String) async throws {
        let message = Data((headers + "Subject: x\r\n\r\nbody\r\n").utf8)
        for format in [[], ["--json"]] {
            let result = try await ProcessRunner.run(
                TestPaths.builtProduct("milter-replay"), format + ["--expect", "reject", "-"], input: message,
                timeout: .seconds(30))
            #expect(result.status == 3, "\(result.stdout) \(result.stderr)")
            #expect(result.stdout.contains("input error: \(words) (value redacted)"), "\(result.stdout)")
            #expect(!result.stdout.contains("no valid recipients"), "\(result.stdout)")
            #expect(!result.stdout.contains("embeddedNUL"), "\(result.stdout)")
            #expect(!result.stdout.contains("example.net"), "\(result.stdout)")
        }
    }

    /// Each input error has its row (connection failures are shown once per reason: the first NUL message hid the
    /// others) and is counted.
    @Test func everyInputErrorHasItsRow() async throws {
        let directory = try Scratch.makeDirectory("input-error-rows")
        defer { Scratch.remove(directory) }
        for name in ["a.eml", "b.eml"] {
            try Data(Self.nulRecipient.utf8).write(to: directory.appendingPathComponent(name))
        }
        let result = try await ProcessRunner.run(
            TestPaths.builtProduct("milter-replay"), [directory.path], timeout: .seconds(30))
        #expect(result.status == 3, "\(result.stdout) \(result.stderr)")
        for name in ["a.eml", "b.eml"] {
            #expect(result.stdout.contains("\(name)  error  input error: an envelope recipient"), "\(result.stdout)")
        }
        #expect(result.stdout.contains("\ninput errors: 2\n"), "\(result.stdout)")
    }

    /// The summaries count an input error as such, not as a connection failure (the milter was reached): the
    /// text, the `--json` line, the HTML report, the JUnit report (an error), and `merge`, which also takes the
    /// summary of an older run that had no `inputErrors`.
    @Test func theSummariesCountInputErrorsApartFromConnectionFailures() async throws {
        let directory = try Scratch.makeDirectory("input-errors")
        defer { Scratch.remove(directory) }
        let message = Data(Self.nulRecipient.utf8)
        let text = try await ProcessRunner.run(
            TestPaths.builtProduct("milter-replay"), ["-"], input: message, timeout: .seconds(30))
        #expect(text.status == 3, "\(text.stdout) \(text.stderr)")
        #expect(text.stdout.contains("\ninput errors: 1\n"), "\(text.stdout)")
        #expect(!text.stdout.contains("connection failures"), "\(text.stdout)")

        let junit = directory.appendingPathComponent("junit.xml").path
        let report = directory.appendingPathComponent("report.html").path
        let json = try await ProcessRunner.run(
            TestPaths.builtProduct("milter-replay"), ["--json", "--junit", junit, "--report", report, "-"],
            input: message, timeout: .seconds(30))
        #expect(json.status == 3, "\(json.stdout) \(json.stderr)")
        let line = try #require(json.stdout.split(separator: "\n").last { $0.contains(#""type":"summary""#) })
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(summary["inputErrors"] as? Int == 1, "\(line)")
        #expect(summary["connectFailures"] as? Int == 0, "\(line)")
        #expect((summary["connectFailuresByReason"] as? [String: Int])?.isEmpty == true, "\(line)")
        #expect(summary["messages"] as? Int == 0, "\(line)")
        #expect(summary["exitCode"] as? Int == 3, "\(line)")
        let html = try String(contentsOfFile: report, encoding: .utf8)
        #expect(html.contains("<th>connection failures</th><td>0</td>"), "\(html)")
        #expect(html.contains("<th>input errors</th><td>1</td>"), "\(html)")
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.contains(#"failures="0" errors="1""#), "\(xml)")
        #expect(xml.contains(#"<error message="input error: an envelope recipient contains NUL"#), "\(xml)")

        // Merged with itself and with the summary of a run before `inputErrors` (the key absent).
        let current = directory.appendingPathComponent("current.json")
        try json.stdout.write(to: current, atomically: true, encoding: .utf8)
        let older = directory.appendingPathComponent("older.json")
        try line.replacingOccurrences(of: #""inputErrors":1,"#, with: "").write(
            to: older, atomically: true, encoding: .utf8)
        let merged = try await ProcessRunner.run(
            TestPaths.builtProduct("milter-replay"), ["merge", "--json", current.path, current.path, older.path],
            timeout: .seconds(30))
        #expect(merged.status == 3, "\(merged.stdout) \(merged.stderr)")
        #expect(merged.stdout.contains(#""connectFailures":0,"#), "\(merged.stdout)")
        #expect(merged.stdout.contains(#""inputErrors":2,"#), "\(merged.stdout)")
        let mergedText = try await ProcessRunner.run(
            TestPaths.builtProduct("milter-replay"), ["merge", current.path, older.path], timeout: .seconds(30))
        #expect(mergedText.stdout.contains("\ninput errors: 1\n"), "\(mergedText.stdout)")
        #expect(!mergedText.stdout.contains("connection failures"), "\(mergedText.stdout)")
    }
}
