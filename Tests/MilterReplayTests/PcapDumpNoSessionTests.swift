import Foundation
import MilterTestSupport
import Testing

/// `--pcap FILE --dump` and `--export-eml` on a capture with no milter session: the same hint on standard error and
/// the same exit code (2) as replay, and under `--json` a summary object as the last line.
struct PcapDumpNoSessionTests {
    static let midstream = ReplayBinary.fixture("pcap/synthetic-midstream.pcap")
    /// The milter's port in synthetic-midstream.pcap (its transcript).
    static let midstreamPort = "34279"
    static let hint =
        "no milter sessions found (1 stream that looks like milter traffic: the capture starts "
        + "mid-stream (no OPTNEG to identify them); give --port with the milter's port to replay them)"

    static func lastObject(_ stdout: String) throws -> [String: Any] {
        try ResultRowTests.json(try #require(stdout.split(separator: "\n").last))
    }

    @Test func aMidstreamCaptureGivesTheHintAndExit2() async throws {
        let text = try await ReplayBinary.run(["--pcap", Self.midstream, "--dump"])
        #expect(text.status == 2)
        #expect(text.stdout.contains(", 0 milter sessions, "), "\(text.stdout)")
        #expect(text.stderr == "milter-replay: \(Self.midstream): \(Self.hint)\n", "\(text.stderr)")

        let json = try await ReplayBinary.run(["--pcap", Self.midstream, "--dump", "--json"])
        #expect(json.status == 2)
        #expect(json.stderr == text.stderr)
        let summary = try Self.lastObject(json.stdout)
        #expect(json.stdout.split(separator: "\n").count == 1)
        #expect(summary["type"] as? String == "summary")
        #expect(summary["sessions"] as? Int == 0 && summary["untakenStreams"] as? Int == 1)
        #expect((summary["untakenReason"] as? String)?.contains("give --port") == true)
        #expect(summary["packets"] as? Int == 32 && summary["exitCode"] as? Int == 2)
        #expect(summary["exportedMessages"] == nil)

        let directory = try Scratch.makeDirectory("export-midstream")
        defer { Scratch.remove(directory) }
        let export = try await ReplayBinary.run(["--pcap", Self.midstream, "--export-eml", directory.path])
        #expect(export.status == 2)
        #expect(export.stdout == "exported 0 messages from 0 sessions to \(directory.path)\n")
        #expect(export.stderr == text.stderr)
    }

    @Test func withPortTheSessionIsDumpedAndTheSummaryFollowsIt() async throws {
        let json = try await ReplayBinary.run([
            "--pcap", Self.midstream, "--dump", "--json", "--port", Self.midstreamPort,
        ])
        #expect(json.status == 0, "\(json.stderr)")
        #expect(json.stderr.isEmpty)
        let lines = json.stdout.split(separator: "\n")
        try #require(lines.count == 2, "\(json.stdout)")
        let session = try ResultRowTests.json(lines[0])
        #expect(session["stream"] as? Int == 0 && session["type"] == nil)
        let summary = try ResultRowTests.json(lines[1])
        #expect(summary["type"] as? String == "summary" && summary["sessions"] as? Int == 1)
        #expect(summary["untakenStreams"] as? Int == 0 && summary["untakenReason"] == nil)
        #expect(summary["exitCode"] as? Int == 0)
    }

    /// A capture of no milter traffic at all (here no packet): the same exit code, no `--port` hint.
    @Test func aCaptureWithoutMilterTrafficIsExit2Too() async throws {
        let directory = try Scratch.makeDirectory("dump-empty")
        defer { Scratch.remove(directory) }
        let path = directory.appendingPathComponent("empty.pcap").path
        // The pcap file header alone: little-endian microsecond pcap 2.4, snap length 65535, Ethernet.
        let header: [UInt8] =
            [0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0] + [UInt8](repeating: 0, count: 8) + [
                0xFF, 0xFF, 0, 0, 1, 0, 0, 0,
            ]
        try TemporaryFile.write(header, to: path)
        let json = try await ReplayBinary.run(["--pcap", path, "--dump", "--json"])
        #expect(json.status == 2)
        #expect(json.stderr == "milter-replay: \(path): no milter sessions found\n", "\(json.stderr)")
        let summary = try Self.lastObject(json.stdout)
        #expect(summary["packets"] as? Int == 0 && summary["sessions"] as? Int == 0)
        #expect(summary["untakenStreams"] as? Int == 0)
    }
}
