import MilterCapture
import MilterProtocol
import NIOCore
import Testing

@Suite struct SmallPartsTests {
    @Test func missingFilesAreIOErrors() {
        let error = #expect(throws: CaptureError.self) { try CaptureReader(path: "/nonexistent/capture.pcap") }
        #expect(error?.kind == .io)
        #expect(
            error?.description
                == "I/O error at file offset 0: cannot open /nonexistent/capture.pcap: No such file or directory")
    }

    @Test func binaryTimestampResolutionAndOffset() throws {
        var builder = PcapNGBuilder(endianness: .little)
        builder.interface(.raw, resolution: 0x80 | 20, offset: -100)  // 2^-20 s, 100 s earlier
        builder.enhancedPacket(interface: 0, ticks: (1 << 20) * 1000 + (1 << 19), ByteBuffer([0x45]))
        let packet = try #require(try readAll(builder.array).first)
        #expect(packet.timestamp == CaptureTimestamp(seconds: 900, nanoseconds: 500_000_000))
    }

    @Test func outOfRangeResolutionIsMalformed() {
        var builder = PcapNGBuilder(endianness: .big)
        builder.interface(.raw, resolution: 20)  // 10^-20 s does not fit 64-bit ticks per second
        let error = #expect(throws: CaptureError.self) { try readAll(builder.array) }
        #expect(error?.kind == .malformed)
    }

    @Test func dumpHeaderShowsRFC3339Time() throws {
        let info = CapturedSessionInfo(
            stream: StreamID(index: 3), mta: PacketFactory.client4, milter: PacketFactory.server4, handshakeSeen: false,
            firstPacket: 1, startTimestamp: CaptureTimestamp(seconds: 951_782_400, nanoseconds: 42),
            identifiedBy: .port)
        let transcript = TranscriptRenderer().render(CapturedSession(info: info))
        #expect(
            transcript == """
                session stream 3: MTA 10.0.0.1:40000 -> milter 10.0.0.2:7044 (port, no handshake) \
                2000-02-29T00:00:00.000000042Z
                end of stream 3: 0 commands, 0 replies, 0 issues

                """)
    }

    static func frames(_ commands: [MilterCommand]) throws -> ByteBuffer {
        var encoder = MilterEncoder()
        return try encoder.encode(commands: commands)
    }

    @Test func boundaryFinderSkipsNoiseAndWaitsForMoreBytes() throws {
        let finder = PlausibleFrameBoundaryFinder()
        var window = ByteBuffer([0x41, 0x42, 0x43])  // noise
        var frames = try Self.frames([.helo("a.example"), .data])
        window.writeBuffer(&frames)
        #expect(finder.search(window, direction: .fromMTA, isFinal: false) == .found(offset: 3))
        // A reply byte is no command: the same bytes hold no MTA frame for the milter's direction.
        #expect(finder.search(window, direction: .fromMilter, isFinal: false) != .found(offset: 3))
        // A header whose frame is not complete yet cannot be checked: everything before it may go.
        var partial = ByteBuffer([0xFF])
        partial.writeBytes([0, 0, 0, 11, 0x48, 0x61])
        #expect(finder.search(partial, direction: .fromMTA, isFinal: false) == .undecided(discardablePrefix: 1))
        #expect(finder.search(partial, direction: .fromMTA, isFinal: true) == .found(offset: 1))
    }

    @Test func stopPolicyAtAMidstreamStartDecodesNothing() throws {
        let segments = Array(try MilterConversation.segments(MilterConversation.steps()).dropFirst(7))
        let options = MilterExtractionOptions(milterPorts: [7044], afterMidstreamStart: .stop)
        let session = try #require(
            try MilterConversation.scan(MilterConversation.pcap(segments), options: options).sessions.first)
        #expect(session.frames.isEmpty)
        #expect(session.issues.map(\.kind).filter { $0 == .decodingStopped }.count == 2)
    }

    @Test func finishedFlowsForgetTheOldestOnly() {
        var reassembler = TCPReassembler(limits: TCPReassemblyLimits(finishedStreamMemory: 1))
        var events: [ReassemblyEvent] = []
        let c = PacketFactory.client4
        let s = PacketFactory.server4
        for segment in [
            PacketFactory.segment(c, s, seq: 1, flags: .syn), PacketFactory.segment(c, s, seq: 2, flags: .rst),
            PacketFactory.segment(c, s, seq: 2, payload: "late"),  // remembered as finished: ignored
        ] {
            reassembler.process(
                segment, packet: 1, timestamp: CaptureTimestamp(seconds: 0, nanoseconds: 0), into: &events)
        }
        #expect(events.filter { if case .opened = $0 { true } else { false } }.count == 1)
    }
}

/// The memo of the last stream classification answers exactly as the classifier does, whatever the sequence.
@Suite struct ClassificationMemoTests {
    static func negotiation(version: UInt32, actions: UInt32 = 0x1FF, protocol flags: UInt32 = 0) -> ByteBuffer {
        var bytes = ByteBuffer()
        bytes.writeInteger(UInt32(13))
        bytes.writeInteger(UInt8(ascii: "O"))
        bytes.writeInteger(version)
        bytes.writeInteger(actions)
        bytes.writeInteger(flags)
        return bytes
    }

    @Test func theMemoGivesTheClassifiersVerdictForEverySequence() {
        let offer = Self.negotiation(version: 6)
        var long = ByteBuffer()
        long.writeInteger(UInt32(400))
        long.writeInteger(UInt8(ascii: "O"))
        long.writeBytes([UInt8](repeating: 0, count: 399))
        var cutShort = ByteBuffer()
        cutShort.writeInteger(UInt32(13))
        let inputs: [(ByteBuffer, StreamDirection, Bool)] = [
            (offer, .clientToServer, false), (offer, .clientToServer, false), (offer, .serverToClient, false),
            (offer, .serverToClient, true), (Self.negotiation(version: 9), .clientToServer, false),
            (Self.negotiation(version: 9), .clientToServer, false),
            (offer.getSlice(at: 0, length: 9)!, .clientToServer, false),
            (offer.getSlice(at: 0, length: 9)!, .clientToServer, true), (long, .clientToServer, false),
            (long, .clientToServer, false), (cutShort, .clientToServer, false), (cutShort, .clientToServer, true),
            (ByteBuffer(bytes: Array("EHLO x\r\n".utf8)), .clientToServer, false), (offer, .clientToServer, false),
        ]
        var memo = ClassificationMemo()
        for (bytes, direction, cut) in inputs {
            let expected = MilterStreamClassifier.classify(firstBytes: bytes, direction: direction, cut: cut)
            #expect(memo.classify(firstBytes: bytes, direction: direction, cut: cut) == expected)
        }
        #expect(memo.classify(firstBytes: offer, direction: .clientToServer) == .milter(mtaDirection: .clientToServer))
        #expect(memo.classify(firstBytes: offer, direction: .serverToClient) == .milter(mtaDirection: .serverToClient))
    }
}
