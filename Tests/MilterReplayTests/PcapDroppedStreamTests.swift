import Foundation
import MilterCapture
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

/// A stream that holds more than ``MilterExtractionOptions/maximumUnrecognisedBytesPerStream`` (128 KiB) before it
/// can be recognised is ignored: `--dump` lists the capture issue in its summary, and `--dump` and replay warn on
/// standard error that milter sessions among such streams are not read. The rest of the capture is read.
struct PcapDroppedStreamTests {
    /// A stream whose client sends 3 bytes (too few for a frame header, 67 bytes held) and whose server then sends
    /// 2100 segments of one byte, 65 bytes held each: the 2016th would take the stream to 131,107 bytes, past the
    /// limit. Then a milter session of OPTNEG, its answer and QUIT.
    static func capture() throws -> [UInt8] {
        var recorder = CaptureRecorder()
        var file = recorder.fileHeader()
        let time = CaptureTimestamp(seconds: 1_700_000_000, nanoseconds: 0)
        let server = Endpoint(address: .v4(0x7F00_0001), port: 8000)
        let (odd, opened) = recorder.open(
            client: Endpoint(address: .v4(0x7F00_0001), port: 41000), server: server, at: time)
        file.writeImmutableBuffer(opened)
        file.writeImmutableBuffer(
            recorder.record(ByteBuffer(bytes: [0, 0, 0]), from: .clientToServer, on: odd, at: time))
        for _ in 0..<2100 {
            file.writeImmutableBuffer(
                recorder.record(ByteBuffer(bytes: [0x73]), from: .serverToClient, on: odd, at: time))
        }
        file.writeImmutableBuffer(recorder.close(odd, from: .clientToServer, at: time))

        let milter = Endpoint(address: .v4(0x7F00_0001), port: 7044)
        let (session, start) = recorder.open(
            client: Endpoint(address: .v4(0x7F00_0001), port: 41001), server: milter, at: time)
        file.writeImmutableBuffer(start)
        var encoder = MilterEncoder()
        let offer = OptionNegotiation(version: .v6, actions: [], protocolFlags: [], symbolLists: [])
        file.writeImmutableBuffer(
            recorder.record(
                try encoder.encode(commands: [.optionNegotiation(offer)]), from: .clientToServer, on: session, at: time)
        )
        file.writeImmutableBuffer(
            recorder.record(
                try encoder.encode(replies: [.optionNegotiation(offer)]), from: .serverToClient, on: session, at: time))
        file.writeImmutableBuffer(
            recorder.record(try encoder.encode(commands: [.quit]), from: .clientToServer, on: session, at: time))
        file.writeImmutableBuffer(recorder.close(session, from: .clientToServer, at: time))
        return Array(file.readableBytesView)
    }

    @Test func dumpListsTheIssueAndReplayAndDumpWarn() async throws {
        let directory = try Scratch.makeDirectory("pcap-dropped-stream")
        defer { Scratch.remove(directory) }
        let path = directory.appendingPathComponent("dropped.pcapng").path
        try TemporaryFile.write(try Self.capture(), to: path)
        let dump = try await ReplayBinary.run(["--pcap", path, "--dump"])
        #expect(dump.status == 0, "\(dump.stderr)")
        #expect(dump.stdout.contains("1 milter sessions, 1 other TCP streams"), "\(dump.stdout)")
        #expect(
            dump.stdout.contains(
                "stream 0 not recognised within the memory limit: 131107 held bytes dropped; "
                    + "stream ignored"), "\(dump.stdout)")
        let warning =
            "milter-replay: warning: \(path): 1 stream not recognised within the memory limit, ignored (issue "
            + "unrecognisedStreamDropped in --dump's summary); milter sessions among them are not read\n"
        #expect(dump.stderr == warning)
        let json = try await ReplayBinary.run(["--pcap", path, "--dump", "--json"])
        let summary = try ResultRowTests.json(try #require(json.stdout.split(separator: "\n").last))
        #expect(summary["droppedStreams"] as? Int == 1 && summary["otherStreams"] as? Int == 1, "\(summary)")
        #expect(json.stderr == warning)

        // Replay, reading as it goes or holding the sessions for --repeat, warns the same way.
        for extra in [[], ["--repeat", "2"]] {
            let replay = try await ReplayBinary.run(["--pcap", path] + extra)
            #expect(replay.stdout.contains("sessions: \(extra.isEmpty ? 1 : 2) "), "\(replay.stdout)")
            #expect(replay.stderr.hasSuffix(warning), "\(replay.stderr)")
            #expect(replay.stderr.components(separatedBy: "not recognised").count == 2, "\(replay.stderr)")
        }
    }
}
