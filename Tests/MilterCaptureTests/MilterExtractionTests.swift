import MilterCapture
import MilterProtocol
import NIOCore
import Testing

@Suite struct MilterExtractionTests {
    typealias C = MilterConversation

    @Test func cleanSessionIsFoundByItsOptionNegotiation() throws {
        let result = try C.scan(C.pcap(try C.segments(C.steps())))
        let session = try #require(result.sessions.first)
        #expect(result.sessions.count == 1)
        #expect(session.info.mta == PacketFactory.client4)
        #expect(session.info.milter == PacketFactory.server4)
        #expect(session.info.identifiedBy == .optionNegotiation)
        #expect(session.isClean)
        let commands = session.frames.filter { $0.direction == .fromMTA }
        let replies = session.frames.filter { $0.direction == .fromMilter }
        #expect(commands.count == 15)
        #expect(replies.count == 13)
        #expect(commands.first?.decoded == .command(.optionNegotiation(C.offer)))
        #expect(replies.last?.decoded == .reply(.accept))
        #expect(commands.map(\.streamOffset).first == 0)
        #expect(session.frames.map(\.timestamp) == session.frames.map(\.timestamp).sorted())
    }

    @Test func directionComesFromTheOptionNegotiationNotFromWhoConnected() throws {
        // A capture that missed the MTA's offer: the first frame is the milter's answer with symbol lists.
        let answer = OptionNegotiation(
            version: .v6, actions: .addHeaders, protocolFlags: .all,
            symbolLists: [SymbolList(stage: .connect, names: ["j", "{daemon_name}"])])
        let steps: [C.Step] = [.milter([.optionNegotiation(answer)]), .mta([.helo("x")]), .milter([.continue])]
        let session = try #require(try C.scan(C.pcap(try C.segments(steps))).sessions.first)
        #expect(session.info.mta == PacketFactory.client4)
        #expect(session.frames.map(\.direction) == [.fromMilter, .fromMTA, .fromMilter])
    }

    @Test func otherTrafficIsIgnored() throws {
        var flow = SynthesizedTCPFlow(client: PacketFactory.client4, server: PacketFactory.server4)
        let segments = flow.open() + flow.send(ByteBuffer(text: "GET / HTTP/1.1\r\n\r\n"), from: .clientToServer)
        let result = try C.scan(C.pcap(segments))
        #expect(result.sessions.isEmpty)
        #expect(result.statistics.ignoredStreams == 1)
    }

    @Test func portSelectsStreamsThatStartMidway() throws {
        // Drop the handshake and the first four steps: the capture starts inside the session.
        let segments = Array(try C.segments(C.steps()).dropFirst(7))
        let options = MilterExtractionOptions(milterPorts: [7044])
        let session = try #require(try C.scan(C.pcap(segments), options: options).sessions.first)
        #expect(session.info.identifiedBy == .port)
        #expect(!session.info.handshakeSeen)
        #expect(session.issues.contains { $0.kind == .midstreamStart && $0.direction == .fromMTA })
        #expect(session.issues.contains { $0.kind == .resynchronised(skippedBytes: 0) })
        #expect(session.frames.first?.commandID == .helo)
        // Each direction resynchronises once, on its first frame; later frames follow from the lengths.
        let flagged = session.frames.filter(\.afterResynchronisation)
        #expect(flagged.map(\.direction) == [.fromMTA, .fromMilter])
        #expect(flagged.map(\.streamOffset) == [0, 0])
        #expect(try C.scan(C.pcap(segments)).sessions.isEmpty)  // without the port: not recognised
    }

    @Test func snapLengthCutInsideAPayloadKeepsFramesAligned() throws {
        let body = String(repeating: "b", count: 500)
        let segments = try C.segments(C.steps(body: body))
        let bodyIndex = try #require(
            segments.firstIndex { $0.payload.getInteger(at: $0.payload.readerIndex + 4, as: UInt8.self) == 0x42 })
        let result = try C.scan(C.pcap(segments, snapLengths: [bodyIndex: 120]))
        let session = try #require(result.sessions.first)
        let cut = try #require(session.frames.first { !$0.isComplete })
        #expect(cut.frame.command == 0x42)
        #expect(cut.declaredPayloadLength == 500)
        #expect(cut.missingBytes == 500 - (120 - 14 - 20 - 20 - 5))
        #expect(cut.decoded == .truncated)
        let issue = try #require(session.issues.first)
        #expect(issue.kind == .truncatedPacket(missingBytes: Int64(cut.missingBytes)))
        #expect(issue.packet == bodyIndex + 1)
        #expect(issue.frame?.command == 0x42)
        // The frames after the cut still decode, from their real boundaries.
        #expect(session.frames.last(where: { $0.direction == .fromMTA })?.commandID == .quit)
        #expect(!session.frames.contains { $0.afterResynchronisation })
    }

    @Test func lostFrameHeadersAreResynchronised() throws {
        var segments = try C.segments(C.steps())
        let lost = try #require(
            segments.firstIndex { $0.payload.getInteger(at: $0.payload.readerIndex + 4, as: UInt8.self) == 0x48 })
        let lostLength = segments.remove(at: lost).payload.readableBytes  // the HELO segment is never captured
        let session = try #require(try C.scan(C.pcap(segments)).sessions.first)
        let kinds = session.issues.filter { $0.direction == .fromMTA }.map(\.kind)
        #expect(kinds.first == .missingSegments(length: Int64(lostLength)))
        #expect(kinds.contains(.frameBoundaryLost))
        #expect(kinds.contains(.resynchronised(skippedBytes: 0)))
        #expect(session.frames.filter { $0.direction == .fromMTA }.map(\.commandID).contains(.helo) == false)
        #expect(session.frames.last(where: { $0.direction == .fromMTA })?.commandID == .quit)
    }

    @Test func stopPolicyStopsAtTheFirstLostBoundary() throws {
        var segments = try C.segments(C.steps())
        let lost = try #require(
            segments.firstIndex { $0.payload.getInteger(at: $0.payload.readerIndex + 4, as: UInt8.self) == 0x48 })
        segments.remove(at: lost)
        let options = MilterExtractionOptions(afterGap: .stop)
        let session = try #require(try C.scan(C.pcap(segments), options: options).sessions.first)
        let mtaFrames = session.frames.filter { $0.direction == .fromMTA }
        #expect(mtaFrames.last?.commandID == .connect)
        #expect(session.issues.contains { $0.kind == .decodingStopped })
        #expect(session.issues.contains { if case .undecodedBytes(let count) = $0.kind { count > 100 } else { false } })
    }

    @Test func zeroLengthFramesAreReported() throws {
        var flow = SynthesizedTCPFlow(client: PacketFactory.client4, server: PacketFactory.server4)
        var encoder = MilterEncoder()
        var bytes = try encoder.encode(commands: [.optionNegotiation(C.offer)])
        bytes.writeBytes([0, 0, 0, 0, 0x41])
        let segments = flow.open() + flow.send(bytes, from: .clientToServer)
        let session = try #require(try C.scan(C.pcap(segments), options: .init(afterGap: .stop)).sessions.first)
        #expect(session.issues.map(\.kind).contains(.invalidFrameLength(0)))
    }

    @Test func interleavedSessionsStaySeparate() throws {
        let first = try C.segments(C.steps(body: "one\r\n"))
        let second = try C.segments(
            C.steps(body: "two\r\n"), client: Endpoint(address: .v4(0x0A00_0003), port: 40001),
            server: PacketFactory.server4)
        var interleaved: [TCPSegment] = []
        for index in 0..<max(first.count, second.count) {
            if index < first.count { interleaved.append(first[index]) }
            if index < second.count { interleaved.append(second[index]) }
        }
        let sessions = try C.scan(C.pcap(interleaved)).sessions
        #expect(sessions.count == 2)
        #expect(sessions.allSatisfy { $0.isClean })
        #expect(Set(sessions.map(\.info.stream.index)) == [0, 1])
    }
}
