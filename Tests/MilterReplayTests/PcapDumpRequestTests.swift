import Foundation
import MilterReplayKit
import MilterTestSupport
import Testing

/// The plain reading of the common `--pcap FILE --dump` line, which skips ArgumentParser at start, must give what
/// ArgumentParser gives for every line it accepts, and leave every other line to ArgumentParser.
///
/// ArgumentParser's commands live in the executable only, so its side of the comparison comes from the built
/// `milter-replay`, run with the hidden first argument `--print-dump-request`.
struct PcapDumpRequestTests {
    /// The request ArgumentParser gives for `arguments`, or nil when it gives an error, help or a replay.
    static func parsedByArgumentParser(_ arguments: [String]) async throws -> PcapDumpRequest? {
        let line = try await ReplayBinary.run(["--print-dump-request"] + arguments)
            .check("milter-replay --print-dump-request").stdout
        return try JSONDecoder().decode(PcapDumpRequest?.self, from: Data(line.utf8))
    }

    @Test(arguments: [
        ["--pcap", "cap.pcap", "--dump"],
        ["--dump", "--pcap", "cap.pcap"],
        ["--pcap=cap.pcap", "--dump", "--json"],
        ["--pcap", "a b.pcapng", "--export-eml", "out"],
        ["--pcap", "cap.pcap", "--dump", "--export-eml=out", "--json"],
        ["--pcap", "cap.pcap", "--dump", "--port", "7044", "--port=10025"],
        ["--json", "--port", "1", "--dump", "--pcap", "/tmp/x.pcap"],
    ])
    func aPlainLineGivesWhatArgumentParserGives(arguments: [String]) async throws {
        let plain = try #require(PcapDumpRequest(plainArguments: arguments))
        let parsed = try await Self.parsedByArgumentParser(arguments)
        #expect(plain == parsed)
        #expect(plain.pcap.hasSuffix("pcap") || plain.pcap.hasSuffix("pcapng"))
    }

    @Test(arguments: [
        ["--pcap", "cap.pcap", "--dump", "--help"], ["--pcap", "cap.pcap", "--dump", "--port", "70000"],
        ["--pcap", "cap.pcap", "--dump", "x.eml"], ["--pcap", "cap.pcap"],
        ["--pcap", "cap.pcap", "--dump", "--port", "0"], ["--pcap", "cap.pcap", "--dump", "--port", "-1"],
    ])
    func theProbeGivesNothingForWhatArgumentParserDoesNotDump(arguments: [String]) async throws {
        let parsed = try await Self.parsedByArgumentParser(arguments)
        #expect(parsed == nil)
    }

    @Test(arguments: [
        [], ["--pcap", "cap.pcap"], ["--dump"], ["--pcap", "cap.pcap", "--dump", "--help"],
        ["--pcap", "cap.pcap", "--dump", "--dump"], ["--pcap", "a", "--pcap", "b", "--dump"],
        ["--pcap", "cap.pcap", "--dump", "--port", "70000"], ["--pcap", "cap.pcap", "--dump", "--port", "x"],
        ["--pcap", "--dump"], ["--pcap", "-", "--dump"], ["--pcap=", "--dump"],
        ["--pcap", "cap.pcap", "--dump", "x.eml"],
        ["--pcap", "cap.pcap", "--dump", "--target", "127.0.0.1:7044"], ["replay", "--pcap", "cap.pcap", "--dump"],
        ["--pcap", "cap.pcap", "--dump", "--"], ["--pcap", "cap.pcap", "--dump=yes"], ["--pcap", "cap.pcap", "-h"],
        ["--pcap", "cap.pcap", "--dump", "--ignore-reply-text"], ["--pcap", "cap.pcap", "--dump", "--port", "0"],
    ])
    func anyOtherLineIsLeftToArgumentParser(arguments: [String]) {
        #expect(PcapDumpRequest(plainArguments: arguments) == nil)
    }

    @Test func theExtractionOptionsFollowThePorts() throws {
        let detected = try #require(PcapDumpRequest(plainArguments: ["--pcap", "c", "--dump"]))
        #expect(detected.extractionOptions.detectByOptionNegotiation)
        let byPort = try #require(PcapDumpRequest(plainArguments: ["--pcap", "c", "--dump", "--port", "7044"]))
        #expect(!byPort.extractionOptions.detectByOptionNegotiation)
        #expect(byPort.extractionOptions.milterPorts == [7044])
    }
}
