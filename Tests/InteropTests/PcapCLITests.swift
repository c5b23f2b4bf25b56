import Foundation
import MilterTestSupport
import Testing

/// The built `milter-replay` binary on the committed captures, with no peer: transcripts equal the
/// checked-in expectations, .eml export, JSON, and the exit codes.
@Suite("milter-replay --pcap, no peer")
struct PcapCLITests {
    @Test(arguments: ["postfix-cmilter-lo.pcap", "postfix-opendkim.pcapng", "postfix-cmilter-snaplen120.pcap"])
    func dumpMatchesTheCheckedInTranscript(file: String) async throws {
        let result = try await MilterReplayBinary.run(["--pcap", MilterReplayBinary.capture(file), "--dump"])
        #expect(result.status == 0, "\(result.stderr)")
        let expected = try String(contentsOfFile: MilterReplayBinary.capture(file + ".transcript"), encoding: .utf8)
        #expect(result.stdout == expected)
    }

    @Test func jsonDumpHasOneObjectPerSession() async throws {
        let result = try await MilterReplayBinary.run([
            "--pcap", MilterReplayBinary.capture("postfix-cmilter-any-sll2.pcap"), "--dump", "--json",
        ])
        #expect(result.status == 0)
        var sessions = try MilterReplayBinary.jsonLines(result.stdout)
        // The last line is the summary.
        #expect(sessions.popLast()?["sessions"] as? Int == 2)
        #expect(sessions.count == 2)
        #expect(sessions.allSatisfy { ($0["entries"] as? [Any])?.isEmpty == false })
    }

    @Test func portSelectsTheStreams() async throws {
        // The milter port of that capture is 33387; another port finds nothing.
        let file = MilterReplayBinary.capture("postfix-cmilter-any-sll2.pcap")
        let milter = try await MilterReplayBinary.run(["--pcap", file, "--dump", "--port", "33387"])
        #expect(milter.stdout.contains("(port, handshake)"))
        #expect(milter.stdout.contains("2 milter sessions"))
        let none = try await MilterReplayBinary.run(["--pcap", file, "--dump", "--port", "9"])
        #expect(none.stdout.contains("0 milter sessions"), "\(none.stdout)")
    }

    @Test func exportWritesOneEmlPerMessage() async throws {
        let directory = try Scratch.makeDirectory("export")
        defer { Scratch.remove(directory) }
        let result = try await MilterReplayBinary.run([
            "--pcap", MilterReplayBinary.capture("postfix-cmilter-lo.pcap"), "--export-eml", directory.path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".eml") }
        // verdicts: 12 messages; rcpt: 2; helo-reject: none; large: 1.
        #expect(files.count == 15, "\(files)")
        #expect(result.stdout.contains("exported 15 messages from 4 sessions"))
    }

    @Test func replayAgainstTheEmbeddedReferenceMilterDiffers() async throws {
        let result = try await MilterReplayBinary.run([
            "--pcap", MilterReplayBinary.capture("postfix-cmilter-lo.pcap"), "--json",
        ])
        #expect(result.status == 1)
        let lines = try MilterReplayBinary.jsonLines(result.stdout)
        let verdicts = lines.filter { $0["type"] as? String == "session" }.map { $0["result"] as? String }
        #expect(verdicts == ["different", "different", "different", "different"])
        // The reference milter negotiates NR flags: CONTINUEs it no longer sends are a note, not a difference.
        let notes = lines.compactMap { $0["notes"] as? [String] }.joined()
        #expect(notes.contains { $0.contains("steps the recorded milter answered CONTINUE were not answered now") })
        #expect(lines.last?["exitCode"] as? Int == 1)
    }

    @Test func exitCodes() async throws {
        let capture = MilterReplayBinary.capture("postfix-cmilter-lo.pcap")
        let cut = MilterReplayBinary.capture("postfix-cmilter-snaplen120.pcap")
        let cases: [([String], Int32)] = [
            (["--pcap", "/nonexistent.pcap", "--dump"], 2),
            (["--pcap", "/nonexistent.pcap"], 2),
            (["--dump"], 2),
            (["--pcap", capture, "some.eml"], 2),
            (["--ignore-header", "DKIM-Signature", "x.eml"], 2),
            (["--pcap", capture, "--expect", "reject"], 2),
            (["--pcap", capture, "--target", "127.0.0.1:9"], 3),
            (["--pcap", cut], 1),
        ]
        for (arguments, status) in cases {
            let result = try await MilterReplayBinary.run(arguments)
            #expect(result.status == status, "\(arguments): \(result.stdout)\(result.stderr)")
        }
        let notReplayable = try await MilterReplayBinary.run(["--pcap", cut])
        #expect(notReplayable.stdout.contains("not replayable  stream 0"))
    }
}
