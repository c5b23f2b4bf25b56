import Foundation
import MilterCapture
import MilterTestSupport
import Testing

/// A capture cut short (`head -c`, tcpdump killed, a copy under way): `--dump` and replay use every complete
/// record, as they would a capture of those records alone, and warn once on standard error where the file ends.
@Suite(.tags(.integration)) struct PcapTruncationTests {
    /// A capture cut inside one of its records, and the same capture up to that record.
    struct Cut: CustomTestStringConvertible, Sendable {
        let fixture: String
        /// The packet whose record is cut, from 1.
        let packet: Int
        /// How many bytes of that record are kept.
        let kept: Int
        var testDescription: String { "\(fixture) cut \(kept) bytes into packet \(packet)" }
    }

    static let cuts = [
        Cut(fixture: "pcap/postfix-cmilter-lo.pcap", packet: 40, kept: 9),  // inside the record header
        Cut(fixture: "pcap/postfix-cmilter-lo.pcap", packet: 40, kept: 40),  // inside the record's data
        Cut(fixture: "pcap/postfix-opendkim.pcapng", packet: 20, kept: 6),  // inside the block header
        Cut(fixture: "pcap/postfix-opendkim.pcapng", packet: 20, kept: 50),  // inside the block
    ]

    /// Files for `cut` in `directory`: the cut capture, the capture of its complete records, the cut's offset and
    /// the packets before it.
    private static func files(
        _ cut: Cut, in directory: URL
    ) throws -> (cut: String, complete: String, offset: UInt64, packets: Int) {
        let path = ReplayBinary.fixture(cut.fixture)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        var reader = try CaptureReader(bytes: bytes)
        var offset: UInt64?
        while offset == nil, let packet = try reader.next() {
            if packet.number == cut.packet { offset = packet.fileOffset }
        }
        let start = Int(try #require(offset))
        let name = URL(fileURLWithPath: cut.fixture).lastPathComponent
        let cutPath = directory.appendingPathComponent("cut-\(name)").path
        let completePath = directory.appendingPathComponent("complete-\(name)").path
        try TemporaryFile.write(Array(bytes.prefix(start + cut.kept)), to: cutPath)
        try TemporaryFile.write(Array(bytes.prefix(start)), to: completePath)
        return (cutPath, completePath, UInt64(start), cut.packet - 1)
    }

    /// The one warning line a cut gives.
    private static func expectWarning(_ stderr: String, path: String, offset: UInt64, packets: Int) {
        let prefix = "milter-replay: warning: \(path): truncated file at file offset \(offset): "
        #expect(stderr.hasPrefix(prefix), "\(stderr)")
        #expect(stderr.hasSuffix("; used the \(packets) packets before it\n"), "\(stderr)")
        #expect(stderr.split(separator: "\n").count == 1, "\(stderr)")
    }

    @Test(arguments: cuts)
    func dumpShowsEveryCompleteRecord(cut: Cut) async throws {
        let directory = try Scratch.makeDirectory("pcap-cut-dump")
        defer { Scratch.remove(directory) }
        let files = try Self.files(cut, in: directory)
        for extra in [[], ["--json"]] {
            let dumped = try await ReplayBinary.run(["--pcap", files.cut, "--dump"] + extra)
            let complete = try await ReplayBinary.run(["--pcap", files.complete, "--dump"] + extra)
            #expect(dumped.status == 0)
            #expect(dumped.stdout == complete.stdout && !complete.stdout.isEmpty)
            #expect(complete.stderr.isEmpty, "\(complete.stderr)")
            Self.expectWarning(dumped.stderr, path: files.cut, offset: files.offset, packets: files.packets)
        }
        let exported = try await ReplayBinary.run([
            "--pcap", files.cut, "--export-eml", directory.appendingPathComponent("eml").path,
        ])
        #expect(exported.status == 0)
        #expect(exported.stdout.hasPrefix("exported "), "\(exported.stdout)")
        Self.expectWarning(exported.stderr, path: files.cut, offset: files.offset, packets: files.packets)
    }

    /// Replayed as it is read, or held for `--repeat`: the same outcomes as the complete records', the warning,
    /// and the cut in the `--json` summary.
    @Test(arguments: cuts)
    func replayUsesEveryCompleteRecord(cut: Cut) async throws {
        let directory = try Scratch.makeDirectory("pcap-cut-replay")
        defer { Scratch.remove(directory) }
        let files = try Self.files(cut, in: directory)
        for extra in [[], ["--repeat", "2"]] {
            let replayed = try await ReplayBinary.run(["--pcap", files.cut] + extra)
            let complete = try await ReplayBinary.run(["--pcap", files.complete] + extra)
            #expect(replayed.status == complete.status, "\(replayed.stdout)\(replayed.stderr)")
            #expect(PcapPipeTests.summary(replayed.stdout) == PcapPipeTests.summary(complete.stdout))
            #expect(complete.stdout.contains("sessions: "), "\(complete.stdout)")
            Self.expectWarning(replayed.stderr, path: files.cut, offset: files.offset, packets: files.packets)
        }
        let json = try await ReplayBinary.run(["--pcap", files.cut, "--json"])
        let summary = json.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(summary.contains("\"truncation\":\"truncated file at file offset \(files.offset): "), "\(summary)")
        let report = directory.appendingPathComponent("report.html").path
        _ = try await ReplayBinary.run(["--pcap", files.cut, "--quiet", "--report", report])
        let html = try String(contentsOfFile: report, encoding: .utf8)
        #expect(html.contains("capture cut short"), "the report names the cut")
        #expect(html.contains("truncated file at file offset \(files.offset): "))
    }

    /// A capture cut before its first packet holds nothing to use: an error, as before.
    @Test func aCutBeforeTheFirstPacketIsAnError() async throws {
        let directory = try Scratch.makeDirectory("pcap-cut-first")
        defer { Scratch.remove(directory) }
        let bytes = try [UInt8](
            Data(contentsOf: URL(fileURLWithPath: ReplayBinary.fixture("pcap/postfix-cmilter-lo.pcap"))))
        let path = directory.appendingPathComponent("cut.pcap").path
        try TemporaryFile.write(Array(bytes.prefix(24 + 20)), to: path)
        for extra in [["--dump"], []] {
            let result = try await ReplayBinary.run(["--pcap", path] + extra)
            #expect(result.status == 2)
            #expect(result.stderr.contains("truncated file at file offset 24: record needs "), "\(result.stderr)")
            #expect(!result.stderr.contains("warning"), "\(result.stderr)")
        }
    }
}
