import Foundation
import MilterTestSupport
import Testing

/// The built `milter-replay` binary against libmilter with the fixtures/replay corpus: every
/// expectation met gives exit 0, a wrong one exit 1; usage errors exit 2, an unreachable milter 3.
@Suite("milter-replay against libmilter")
struct MilterReplayCMilterTests {
    /// The binary SwiftPM built beside this test bundle (InteropTests depends on milter-replay).
    static var binary: String { TestPaths.builtProduct("milter-replay") }

    static var repository: URL { TestPaths.root }

    static func replay(_ arguments: [String]) async throws -> ProcessResult {
        let corpus = repository.appendingPathComponent("fixtures/replay").path
        return try await ProcessRunner.run(
            binary, arguments.map { $0.replacingOccurrences(of: "CORPUS", with: corpus) }, timeout: .seconds(120))
    }

    @Test func corpusMeetsEveryExpectation() async throws {
        guard Interop.require(.libmilter) else { return }
        try await CMilter.with(mode: .headers) { milter in
            let result = try await Self.replay(["--target", "127.0.0.1:\(milter.port)", "CORPUS"])
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
            #expect(result.stdout.contains("mismatches: 0"))
            #expect(result.stdout.contains("findings: 0"))
            #expect(result.stdout.contains("accept 6, reject 5, tempfail 2, discard 1, quarantine 1"))
        }
    }

    @Test func concurrentConnectionsAndJSON() async throws {
        guard Interop.require(.libmilter) else { return }
        try await CMilter.with(mode: .headers) { milter in
            let result = try await Self.replay([
                "--target", "inet:\(milter.port)@127.0.0.1", "--connections", "4", "--messages-per-connection", "3",
                "--repeat", "3", "--json", "CORPUS",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.stdout.split(separator: "\n")
            #expect(lines.count == 46)
            let summary = try JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as? [String: Any]
            #expect(summary?["messages"] as? Int == 45)
            #expect(summary?["exitCode"] as? Int == 0)
        }
    }

    @Test func wrongExpectationExitsOne() async throws {
        guard Interop.require(.libmilter) else { return }
        try await CMilter.with(mode: .headers) { milter in
            let junit = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(milter.port).xml")
            defer { try? FileManager.default.removeItem(at: junit) }
            let manifest = Self.repository.appendingPathComponent("fixtures/replay/wrong.manifest").path
            let result = try await Self.replay([
                "--target", "127.0.0.1:\(milter.port)", "--manifest", manifest, "--junit", junit.path,
                "CORPUS/no-action.eml", "CORPUS/accept.eml",
            ])
            #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
            #expect(result.stdout.contains("accept.eml: expected reject, got accept"))
            let xml = try String(contentsOf: junit, encoding: .utf8)
            #expect(xml.contains("tests=\"2\" failures=\"1\""))
            let overall = try await Self.replay([
                "--target", "127.0.0.1:\(milter.port)", "--expect", "reject", "CORPUS",
            ])
            #expect(overall.status == 1)
        }
    }

    @Test func usageErrorsAndUnreachableMilter() async throws {
        #expect(try await Self.replay(["--target", "nonsense", "CORPUS"]).status == 2)
        #expect(try await Self.replay(["--target", "127.0.0.1:9", "/nonexistent"]).status == 2)
        let unreachable = try await Self.replay(["--target", "127.0.0.1:9", "CORPUS/accept.eml"])
        #expect(unreachable.status == 3, "\(unreachable.stdout)")
    }
}
