import Foundation
import MilterTestSupport
import Testing

/// `milter-replay conformance` against real milters: it runs to the end and judges (exit 0 or 1), never a
/// usage error (2), an unreachable milter (3) or a crash. Each run prints its table, which README.md's
/// results table is taken from.
@Suite("conformance against real milters", .serialized)
struct ConformancePeersTests {
    static func conformance(port: Int, _ extra: [String] = []) async throws -> ProcessResult {
        let directory = try Scratch.makeDirectory("conformance-peer")
        defer { Scratch.remove(directory) }
        let junit = directory.appendingPathComponent("report.xml").path
        let result = try await MilterReplayBinary.run(
            ["conformance", "--target", "127.0.0.1:\(port)", "--junit", junit, "--timeout", "10"] + extra,
            timeout: .seconds(900))
        print(result.stdout)
        #expect(result.status == 0 || result.status == 1, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains(" cases: "), "\(result.stdout)")
        let xml = (try? String(contentsOfFile: junit, encoding: .utf8)) ?? ""
        #expect(xml.components(separatedBy: "<testcase ").count - 1 >= 40, "\(xml)")
        return result
    }

    /// libmilter must pass every must case: a must case it fails needs a very strong source, so this is checked.
    @Test func libmilter() async throws {
        guard Interop.require(.libmilter) else { return }
        try await CMilter.with(mode: .headers) { milter in
            let result = try await Self.conformance(port: milter.port)
            #expect(result.status == 0, "libmilter fails a must case:\n\(result.stdout)")
        }
    }

    @Test func libmilterAsSendmail() async throws {
        guard Interop.require(.libmilter) else { return }
        try await CMilter.with(mode: .headers) { milter in
            let result = try await Self.conformance(port: milter.port, ["--mta", "sendmail"])
            #expect(result.status == 0, "libmilter fails a must case:\n\(result.stdout)")
        }
    }

    @Test func opendkim() async throws {
        guard Interop.require(.opendkim) else { return }
        try await OpenDKIM.with { milter in _ = try await Self.conformance(port: milter.port) }
    }

    @Test func opendkimAsSendmail() async throws {
        guard Interop.require(.opendkim) else { return }
        try await OpenDKIM.with { milter in _ = try await Self.conformance(port: milter.port, ["--mta", "sendmail"]) }
    }

    @Test func pymilter() async throws {
        guard Interop.require(.pymilter) else { return }
        try await PyMilter.with { milter in _ = try await Self.conformance(port: milter.port) }
    }

    @Test func pymilterAsSendmail() async throws {
        guard Interop.require(.pymilter) else { return }
        try await PyMilter.with { milter in _ = try await Self.conformance(port: milter.port, ["--mta", "sendmail"]) }
    }
}
