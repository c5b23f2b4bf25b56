import Foundation
import MilterTestSupport
import Testing

/// The values a user gives (a `--header` or `--macro` value, a manifest's expected header value or reply text) are
/// personal data: error texts and reports show their shape, names and keywords as they are; `--show-values` shows
/// the manifest's values. They were echoed in full.
struct ValueRedactionTests {
    @Test func aBadHeaderOptionShowsTheShapeOfItsText() async throws {
        let result = try await ReplayBinary.run(["--header", "Subject secret value", ReplayBinary.fixture("eml")])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("got 'xxxxxxx xxxxxx xxxxx'"), "\(result.stderr)")
        #expect(!result.stderr.contains("secret"), "\(result.stderr)")
    }

    @Test func aBadMacroOptionShowsItsStageAndNameNotItsValue() async throws {
        let result = try await ReplayBinary.run(["--macro", "bogus:x=secretvalue", ReplayBinary.fixture("eml")])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--macro 'bogus:x=xxxxxxxxxxx' is not STAGE:NAME=VALUE"), "\(result.stderr)")
        #expect(!result.stderr.contains("secretvalue"), "\(result.stderr)")
    }

    /// `plain-ascii.eml accept header-added=X-Secret:topsecret`: the rows, `--json`, `--junit` and `--report` name
    /// the header, not its expected value; with `--show-values` the value is there.
    @Test(arguments: [false, true])
    func anUnmetManifestExpectationIsRedacted(showsValues: Bool) async throws {
        let directory = try Scratch.makeDirectory("manifest-redaction")
        defer { Scratch.remove(directory) }
        let manifest = directory.appendingPathComponent("m.manifest")
        try "plain-ascii.eml accept header-added=X-Secret:topsecret\n".write(
            to: manifest, atomically: true, encoding: .utf8)
        let junit = directory.appendingPathComponent("junit.xml").path
        let report = directory.appendingPathComponent("report.html").path
        let message = ReplayBinary.fixture("eml/plain-ascii.eml")
        let common = ["--manifest", manifest.path, "--junit", junit, "--report", report, message]
        let extra = showsValues ? ["--show-values"] : []
        let rows = try await ReplayBinary.run(common + extra)
        let json = try await ReplayBinary.run(["--json"] + common + extra)
        #expect(rows.status == 1, "\(rows.stdout)\n\(rows.stderr)")
        #expect(rows.stdout.contains("expected ADDHEADER X-Secret"), "\(rows.stdout)")
        let outputs = [
            rows.stdout, json.stdout, try String(contentsOfFile: junit, encoding: .utf8),
            try String(contentsOfFile: report, encoding: .utf8),
        ]
        for output in outputs {
            #expect(output.contains("topsecret") == showsValues, "\(output)")
        }
        if !showsValues {
            #expect(rows.stdout.contains("expected ADDHEADER X-Secret 'xxxxxxxxx'"), "\(rows.stdout)")
        }
    }

    /// A manifest line whose expectation words are wrong: the error names the file, line, word number and key, and
    /// shows the word's text shape-redacted (a header value, an address); `--show-values` shows it. They were
    /// echoed in full.
    @Test(arguments: [
        ("alice@example.org", "word 3 'xxxxx@xxxxxxx.xxx' is not KEY=VALUE"),
        ("X-To:alice@example.org=1", "word 3: unknown expectation 'x-xx:xxxxx@xxxxxxx.xxx'"),
        ("reply-code=alice@example.org", "word 3: reply-code 'xxxxx@xxxxxxx.xxx' is not a code from 200 to 599"),
        ("reply-text~alice@example.org(", "word 3: reply-text~'xxxxx@xxxxxxx.xxx(' is not a valid regular"),
    ])
    func aBadManifestWordIsRedacted(word: String, said: String) async throws {
        let directory = try Scratch.makeDirectory("manifest-word-redaction")
        defer { Scratch.remove(directory) }
        let manifest = directory.appendingPathComponent("m.manifest")
        try "# expectations\nplain-ascii.eml accept \(word)\n".write(to: manifest, atomically: true, encoding: .utf8)
        let arguments = ["--manifest", manifest.path, ReplayBinary.fixture("eml/plain-ascii.eml")]
        let redacted = try await ReplayBinary.run(arguments)
        #expect(redacted.status == 2, "\(redacted.stderr)")
        #expect(redacted.stderr.contains("m.manifest:2: \(said)"), "\(redacted.stderr)")
        #expect(!redacted.stderr.contains("alice"), "\(redacted.stderr)")
        let shown = try await ReplayBinary.run(arguments + ["--show-values"])
        #expect(shown.status == 2, "\(shown.stderr)")
        #expect(shown.stderr.contains("alice@example.org"), "\(shown.stderr)")
    }
}
