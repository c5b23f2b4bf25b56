import MilterTestSupport
import Testing

/// Options that do not apply to what `--pcap` does are refused, each with its own reason: a replay's options
/// with `--dump` or `--export-eml` (which only read the capture), and an .eml replay's with a capture replay.
@Suite struct PcapOptionConflictTests {
    static let capture = ReplayBinary.fixture("pcap/postfix-cmilter-lo.pcap")

    @Test(arguments: [
        (["--dump", "--target", "127.0.0.1:7044"], "--target does not apply to --pcap --dump or --export-eml"),
        (["--dump", "--rate", "5"], "--rate does not apply to --pcap --dump or --export-eml"),
        (["--dump", "--connections", "4"], "--connections does not apply to --pcap --dump or --export-eml"),
        (["--export-eml", "/tmp", "--repeat", "2"], "--repeat does not apply to --pcap --dump or --export-eml"),
        (["--junit", "j.xml"], "--junit does not apply to --pcap: a capture replay reports sessions, not messages"),
        (["--expect", "accept"], "--expect does not apply to --pcap: a capture replay compares each reply"),
        (["--from", "a@example.org"], "--from does not apply to --pcap: a capture replays its recorded envelope"),
        // These were silently ignored: the recorded offer, CONNECT and HELO go as they were, and a dump sends nothing.
        (
            ["--protocol-version", "2"],
            "--protocol-version does not apply to --pcap: a capture replays its recorded OPTNEG"
        ),
        (["--client-addr", "10.0.0.1"], "--client-addr does not apply to --pcap: a capture replays its recorded"),
        (["--helo", "other.example"], "--helo does not apply to --pcap: a capture replays its recorded"),
        (["--header", "Subject: x"], "--header and --body do not apply to --pcap"),
        (["--dump", "--timeout", "5"], "--timeout does not apply to --pcap --dump or --export-eml"),
        (["--dump", "--mta", "sendmail"], "--mta does not apply to --pcap --dump or --export-eml"),
        (["--dump", "--ignore-header", "X-A"], "--ignore-header does not apply to --pcap --dump or --export-eml"),
        (["--export-eml", "/tmp", "--ignore-reply-text"], "--ignore-reply-text does not apply to --pcap --dump"),
        (["--dump", "--no-exchange-reuse"], "--no-exchange-reuse does not apply to --pcap --dump or --export-eml"),
    ])
    func aConflictIsRefusedWithItsReason(options: [String], error: String) async throws {
        let result = try await ReplayBinary.run(["--pcap", Self.capture] + options)
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains(error), "\(result.stderr)")
    }
}
