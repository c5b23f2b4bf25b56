import Foundation
import MilterCapture
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

@Suite struct CaptureWriterTests {
    typealias C = MilterConversation

    /// Records the test conversation as a proxy would, chunk by chunk.
    static func recordedCapture(link: SynthesizedLink, client: Endpoint, server: Endpoint) throws -> [UInt8] {
        var recorder = CaptureRecorder(link: link)
        var encoder = MilterEncoder()
        var file = recorder.fileHeader()
        var time = CaptureTimestamp(seconds: 1_764_288_000, nanoseconds: 5)
        let (connection, opening) = recorder.open(client: client, server: server, at: time)
        file.writeImmutableBuffer(opening)
        for step in C.steps(body: String(repeating: "x", count: 70_000)) {
            time.nanoseconds += 1000
            switch step {
            case .mta(let commands):
                file.writeImmutableBuffer(
                    recorder.record(
                        try encoder.encode(commands: commands), from: .clientToServer, on: connection, at: time))
            case .milter(let replies):
                file.writeImmutableBuffer(
                    recorder.record(
                        try encoder.encode(replies: replies), from: .serverToClient, on: connection, at: time))
            }
        }
        file.writeImmutableBuffer(recorder.close(connection, from: .clientToServer, at: time))
        return Array(file.readableBytesView)
    }

    static let cases: [(SynthesizedLink, Endpoint, Endpoint)] = [
        (.loopback, PacketFactory.client4, PacketFactory.server4),
        (.ethernet, PacketFactory.client4, PacketFactory.server4),
        (.loopback, PacketFactory.client6, PacketFactory.server6),
    ]

    @Test(arguments: cases)
    func ourReaderReadsTheRecording(link: SynthesizedLink, client: Endpoint, server: Endpoint) throws {
        let bytes = try Self.recordedCapture(link: link, client: client, server: server)
        var reader = try CaptureReader(bytes: bytes)
        #expect(reader.format == .pcapng)
        #expect(try reader.next()?.linkType == link.linkType)
        let result = try C.scan(bytes)
        let session = try #require(result.sessions.first)
        #expect(session.isClean)
        #expect(session.info.mta == client && session.info.milter == server && session.info.handshakeSeen)
        #expect(session.frames.count == 28)
        #expect(session.frames.first?.timestamp == CaptureTimestamp(seconds: 1_764_288_000, nanoseconds: 1005))
        let body = session.frames.first { $0.frame.command == MilterCommand.ID.body.rawValue }
        #expect(body?.declaredPayloadLength == 70_000 && body?.firstPacket != body?.lastPacket)
    }

    /// A proxy listening on IPv6 for a milter on IPv4 (or a unix socket, recorded as 127.0.0.1):
    /// the IPv4 side is written IPv4-mapped, and the file reads back as one clean session.
    @Test(arguments: [(PacketFactory.client6, PacketFactory.server4), (PacketFactory.client4, PacketFactory.server6)])
    func mixedAddressFamiliesAreRecordedAsIPv6(client: Endpoint, server: Endpoint) throws {
        let bytes = try Self.recordedCapture(link: .loopback, client: client, server: server)
        let session = try #require(try C.scan(bytes).sessions.first)
        #expect(session.isClean)
        let (mta, milter) = PacketSynthesizer.sameFamily(client.address, server.address)
        #expect(session.info.mta == Endpoint(address: mta, port: client.port))
        #expect(session.info.milter == Endpoint(address: milter, port: server.port))
        guard case .v6(0, let low) = client.address == mta ? milter : mta else {
            Issue.record("the IPv4 side is not IPv4-mapped")
            return
        }
        #expect(low >> 32 == 0xFFFF)
        #expect(session.frames.count == 28)
    }

    @Test(arguments: cases)
    func tsharkReadsTheRecording(link: SynthesizedLink, client: Endpoint, server: Endpoint) async throws {
        guard let tshark = ExternalTool.require("tshark") else { return }
        let bytes = try Self.recordedCapture(link: link, client: client, server: server)
        let path = NSTemporaryDirectory() + "milter-record-\(UUID().uuidString).pcapng"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }

        let fields = try await ProcessRunner.run(
            tshark,
            [
                "-r", path, "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE", "-T", "fields",
                "-e", "tcp.stream", "-e", "tcp.checksum.status", "-e", "tcp.analysis.flags", "-e",
                "_ws.expert.severity",
            ])
        #expect(fields.status == 0)
        let rows = fields.stdout.split(separator: "\n").map {
            $0.split(separator: "\t", omittingEmptySubsequences: false)
        }
        #expect(rows.count == 32)  // 3 handshake, 26 data (the 70 kB body takes two), 3 closing
        #expect(rows.allSatisfy { $0.first == "0" })
        #expect(rows.allSatisfy { $0.count > 1 && $0[1] == "1" })  // 1: checksum good
        #expect(rows.allSatisfy { $0.count > 2 && $0[2].isEmpty })  // no retransmission, lost segment, ...

        let follow = try await ProcessRunner.run(tshark, ["-r", path, "-q", "-z", "follow,tcp,raw,0"])
        // Raw follow output: one hex line per segment, the server's indented by a tab.
        let hex = follow.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && $0.allSatisfy(\.isHexDigit) }.joined()
        var encoder = MilterEncoder()
        var expected = ""
        for step in C.steps(body: String(repeating: "x", count: 70_000)) {
            let bytes =
                switch step {
                case .mta(let commands): try encoder.encode(commands: commands)
                case .milter(let replies): try encoder.encode(replies: replies)
                }
            expected += bytes.readableBytesView.map { String(format: "%02x", $0) }.joined()
        }
        #expect(hex == expected)
    }
}
