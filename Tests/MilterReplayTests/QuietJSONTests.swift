import MilterTestSupport
import Testing

/// `--quiet` means the summary only, with `--json` too: one summary object, as `merge` reads it.
@Suite struct QuietJSONTests {
    @Test(arguments: [
        [ReplayBinary.fixture("eml/plain-lf.eml"), ReplayBinary.fixture("eml/address-group.eml")],
        ["--pcap", ReplayBinary.fixture("pcap/postfix-cmilter-lo.pcap")],
    ])
    func onlyTheSummaryIsPrinted(inputs: [String]) async throws {
        let loud = try await ReplayBinary.run(["--json"] + inputs)
        let quiet = try await ReplayBinary.run(["--json", "--quiet"] + inputs)
        #expect(quiet.status == loud.status, "\(quiet.stderr)")
        let lines = quiet.stdout.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains(#""type":"summary""#), "\(quiet.stdout)")
        #expect(loud.stdout.split(separator: "\n").count > 1)
    }

    /// As text, the summary starts on the first line: no empty line parts it from rows that are not there.
    @Test(arguments: [
        [ReplayBinary.fixture("eml/plain-lf.eml")], ["--pcap", ReplayBinary.fixture("pcap/postfix-cmilter-lo.pcap")],
    ])
    func theTextSummaryStartsAtOnce(inputs: [String]) async throws {
        let quiet = try await ReplayBinary.run(["--quiet"] + inputs)
        #expect(quiet.stdout.hasPrefix("messages: ") || quiet.stdout.hasPrefix("sessions: "), "\(quiet.stdout)")
    }
}
