import Foundation
import Testing

/// Each capture of the libmilter cmilter (fixtures/pcap, recorded in `--headers` mode) replayed by
/// the `milter-replay` binary against a live cmilter in the same mode: every session is "same".
@Suite("milter-replay --pcap against libmilter")
struct PcapReplayCMilterTests {
    /// The capture and its number of milter sessions (fixtures/pcap/README.md).
    static let captures: [(file: String, sessions: Int)] = [
        ("postfix-cmilter-lo.pcap", 4), ("postfix-cmilter-any-sll2.pcap", 2), ("postfix-cmilter-ipv6.pcap", 1),
        ("sendmail-cmilter-lo.pcap", 2),
    ]

    @Test(arguments: captures.map(\.file))
    func everySessionIsTheSame(file: String) async throws {
        guard Interop.require(.libmilter) else { return }
        let expected = Self.captures.first { $0.file == file }!.sessions
        try await CMilter.with(mode: .headers, ipv6: file.contains("ipv6")) { milter in
            let result = try await MilterReplayBinary.run([
                "--pcap", MilterReplayBinary.capture(file), "--target", milter.postfixSpec, "--json",
            ])
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
            let lines = try MilterReplayBinary.jsonLines(result.stdout)
            let sessions = lines.filter { $0["type"] as? String == "session" }
            #expect(sessions.count == expected)
            for session in sessions {
                #expect(session["result"] as? String == "same", "\(session)")
                #expect((session["stepsCompared"] as? Int ?? 0) > 2)
                #expect((session["notes"] as? [String])?.isEmpty == true, "\(session)")
            }
            #expect(lines.last?["same"] as? Int == expected)
        }
    }

    @Test func realTrafficReplaysAsLoad() async throws {
        guard Interop.require(.libmilter) else { return }
        try await CMilter.with(mode: .headers) { milter in
            let result = try await MilterReplayBinary.run([
                "--pcap", MilterReplayBinary.capture("postfix-cmilter-lo.pcap"), "--target", milter.postfixSpec,
                "--connections", "4", "--repeat", "5", "--quiet",
            ])
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
            #expect(result.stdout.contains("sessions: 20  (same 20, different 0"), "\(result.stdout)")
        }
    }

    @Test func aDifferentMilterGivesADiffAndExitOne() async throws {
        guard Interop.require(.libmilter) else { return }
        // The same capture against cmilter in --subject mode: other verdicts at end of message.
        try await CMilter.with(mode: .subject) { milter in
            let result = try await MilterReplayBinary.run([
                "--pcap", MilterReplayBinary.capture("postfix-cmilter-lo.pcap"), "--target", milter.postfixSpec,
            ])
            #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
            #expect(result.stdout.contains("DIFFERENT  stream 0"))
            #expect(result.stdout.contains("recorded: REJECT"))
            #expect(result.stdout.contains("now:      ADDHEADER name=\"X-Reference-Milter\" value=\"checked\", ACCEPT"))
        }
    }

    @Test func openDKIMCaptureIsTheSameIgnoringTheSignature() async throws {
        guard Interop.require(.opendkim) else { return }
        // A fresh key and another time: every DKIM-Signature value differs, all else must not.
        try await OpenDKIM.with { dkim in
            let file = MilterReplayBinary.capture("postfix-opendkim.pcapng")
            let strict = try await MilterReplayBinary.run(["--pcap", file, "--target", dkim.postfixSpec])
            #expect(strict.status == 1, "\(strict.stdout)")
            #expect(strict.stdout.contains("INSHEADER index=0 name=\"DKIM-Signature\""))
            let masked = try await MilterReplayBinary.run([
                "--pcap", file, "--target", dkim.postfixSpec, "--ignore-header", "dkim-signature",
            ])
            #expect(masked.status == 0, "\(masked.stdout)\n\(masked.stderr)")
            #expect(masked.stdout.contains("sessions: 1  (same 1, different 0"))
        }
    }
}
