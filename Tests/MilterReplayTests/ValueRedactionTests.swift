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
}
