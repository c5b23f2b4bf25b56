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
    ])
    func aConflictIsRefusedWithItsReason(options: [String], error: String) async throws {
        let result = try await ReplayBinary.run(["--pcap", Self.capture] + options)
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains(error), "\(result.stderr)")
    }
}
