import Foundation
import MilterTestSupport
import Testing

/// `milter-replay conformance` on the built binary, against the reference milter started with `--start`.
@Suite(.tags(.integration)) struct ConformanceBinaryTests {
    static let referenceMilter = TestPaths.builtProduct("reference-milter")

    /// The must-show: ≥ 40 cases in the JUnit report, every `must` case passes, exit 0.
    @Test func theReferenceMilterPassesEveryMustCase() async throws {
        let port = try FreePort.allocate()
        let directory = try Scratch.makeDirectory("conformance")
        defer { Scratch.remove(directory) }
        let junit = directory.appendingPathComponent("conformance.xml").path
        let result = try await ReplayBinary.run(
            [
                "conformance", "--target", "127.0.0.1:\(port)", "--junit", junit,
                "--start", "\(Self.referenceMilter) daemon 127.0.0.1:\(port) --handshake-timeout 120",
            ], timeout: .seconds(240))
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        let cases = xml.components(separatedBy: "<testcase ").count - 1
        #expect(cases >= 40, "\(cases) cases")
        #expect(!xml.contains("<failure"), "\(xml)")
        #expect(result.stdout.contains("0 fail (0 must)"), "\(result.stdout)")
        for area in ["version", "macro", "abort", "session", "event", "header", "body", "connect", "unknown", "frame"] {
            #expect(result.stdout.contains("\n\(area): "), "no \(area) group in the table")
        }
        // --start stopped the milter: nobody listens on the port any more.
        #expect(!FreePort.canConnect(host: "127.0.0.1", port: port))
    }

    @Test func sendmailProfileAndJSON() async throws {
        let result = try await ReplayBinary.run(
            ["conformance", "--mta", "sendmail", "--json", "--only", "abort", "connect.ipv6"], timeout: .seconds(120))
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let cases = json?["cases"] as? [[String: Any]] ?? []
        #expect(cases.count == 10, "\(result.stdout)")
        // Sendmail's milter_abort writes only to a milter in a message: the cases of an ABORT between
        // transactions, a Postfix habit, are not exercised.
        let betweenTransactions: Set = [
            "abort.no-reply", "abort.after-every-message", "abort.double", "abort.outside-transaction",
        ]
        for item in cases {
            let id = item["id"] as? String ?? ""
            let status = betweenTransactions.contains(id) ? "not-exercised" : "pass"
            #expect(item["status"] as? String == status, "\(id): \(item)")
        }
        #expect((json?["summary"] as? [String: Any])?["mustFail"] as? Int == 0)
    }

    @Test func helpEndsWithConformanceExamples() async throws {
        let result = try await ReplayBinary.run(["conformance", "--help"])
        #expect(result.status == 0, "\(result.stderr)")
        let examples = try #require(result.stdout.range(of: "EXAMPLES:"), "\(result.stdout)")
        #expect(result.stdout[examples.upperBound...].contains("milter-replay conformance --target"))
        #expect(result.stdout.contains("--start"), "\(result.stdout)")
    }

    /// `--list --json`: the catalogue as JSON, one object per case, in the order and number of the text list.
    @Test func listAsJSON() async throws {
        let result = try await ReplayBinary.run(["conformance", "--list", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let cases = try #require(json?["cases"] as? [[String: Any]], "\(result.stdout)")
        let text = try await ReplayBinary.run(["conformance", "--list"])
        let ids = text.stdout.split(separator: "\n").map { String($0.prefix { $0 != " " }) }
        #expect(cases.map { $0["id"] as? String } == ids)
        let abort = try #require(cases.first { $0["id"] as? String == "abort.no-reply" })
        #expect(abort["area"] as? String == "abort")
        #expect(abort["file"] as? String == "conformance/abort.yaml")
        #expect(["must", "should"].contains(abort["severity"] as? String))
        #expect((abort["description"] as? String)?.isEmpty == false)
        #expect(abort["exercises"] as? String == "eom, abort")
        #expect((json?["summary"] as? [String: Any])?["cases"] as? Int == cases.count)
        let both = try await ReplayBinary.run(["conformance", "--list", "--json", "--markdown"])
        #expect(both.status == 2, "\(both.stderr)")
    }

    /// `--list` runs no case: an option of a run given with it is refused, not silently dropped (no JUnit file was
    /// written, no milter started, and the exit status was 0).
    @Test(arguments: [
        ["--junit", "/tmp/never.xml"], ["--report", "/tmp/never.html"], ["--target", "127.0.0.1:7044"],
        ["--start", "true", "--target", "127.0.0.1:7044"], ["--timeout", "3"], ["--mta", "sendmail"],
    ])
    func anOptionOfARunIsRefusedWithList(options: [String]) async throws {
        let result = try await ReplayBinary.run(["conformance", "--list"] + options)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("\(options[0]) does not apply to --list"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func anUnknownCaseIsAUsageError() async throws {
        let result = try await ReplayBinary.run(["conformance", "--only", "abort.nosuch", "--list"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("abort.nosuch"), "\(result.stderr)")
    }

    @Test func anUnreachableMilterExitsThree() async throws {
        let port = try FreePort.allocate()
        let result = try await ReplayBinary.run(["conformance", "--target", "127.0.0.1:\(port)"])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("connection refused"), "\(result.stderr)")
    }

    /// A milter that accepts and never answers: the probe's OPTNEG times out, and the run stops there instead of
    /// timing out in every case (96 of them).
    @Test func aMilterThatNeverAnswersExitsThreeAfterTheProbe() async throws {
        let milter = try await ScriptedMilter { _ in [] }
        let result = try await ReplayBinary.run(
            ["conformance", "--target", "127.0.0.1:\(milter.port)", "--timeout", "0.5"], timeout: .seconds(60))
        await milter.stop(grace: .zero)
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("did not answer OPTNEG"), "\(result.stderr)")
        #expect(result.stdout.isEmpty, "no case table: \(result.stdout)")
    }

    /// docs/conformance-cases.md is the output of `conformance --list --markdown`: regenerate it when a case changes.
    @Test func theCaseDocumentIsCurrent() async throws {
        let result = try await ReplayBinary.run(["conformance", "--list", "--markdown"])
        #expect(result.status == 0, "\(result.stderr)")
        let committed = try String(
            contentsOf: TestPaths.root.appendingPathComponent("docs/conformance-cases.md"), encoding: .utf8)
        #expect(
            committed == result.stdout,
            "docs/conformance-cases.md is stale: run milter-replay conformance --list --markdown > docs/conformance-cases.md"
        )
    }
}
