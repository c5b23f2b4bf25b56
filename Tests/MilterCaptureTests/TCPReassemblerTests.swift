import MilterCapture
import NIOCore
import Testing

/// Runs segments through a reassembler and summarises what each direction delivered.
struct ReassemblyRun {
    var events: [ReassemblyEvent] = []

    init(_ segments: [TCPSegment], limits: TCPReassemblyLimits = TCPReassemblyLimits()) {
        var reassembler = TCPReassembler(limits: limits)
        for (index, segment) in segments.enumerated() {
            reassembler.process(
                segment, packet: index + 1, timestamp: CaptureTimestamp(seconds: Int64(index), nanoseconds: 0),
                into: &events)
        }
        reassembler.finish(lastPacket: segments.count, into: &events)
    }

    func text(_ direction: StreamDirection = .clientToServer, stream: Int = 0) -> String {
        var result = ""
        for case .data(let id, direction, let data) in events where id.index == stream {
            result += String(buffer: data.bytes)
        }
        return result
    }

    func gaps(_ direction: StreamDirection = .clientToServer) -> [StreamGap] {
        events.compactMap { if case .gap(_, direction, let gap) = $0 { gap } else { nil } }
    }

    func closes(_ direction: StreamDirection) -> [StreamCloseReason] {
        events.compactMap { if case .closed(_, direction, let reason) = $0 { reason } else { nil } }
    }

    var opened: [TCPStreamInfo] { events.compactMap { if case .opened(let info) = $0 { info } else { nil } } }
    var finishedCount: Int { events.filter { if case .finished = $0 { true } else { false } }.count }
    var midstream: [StreamDirection] {
        events.compactMap { if case .midstreamStart(_, let direction, _) = $0 { direction } else { nil } }
    }
}

@Suite struct TCPReassemblerTests {
    typealias F = PacketFactory
    static let c = F.client4
    static let s = F.server4

    static func data(
        _ seq: UInt32, _ text: String, from client: Bool = true, flags: TCPFlags = [.psh, .ack]
    ) -> TCPSegment {
        F.segment(client ? c : s, client ? s : c, seq: seq, flags: flags, payload: text)
    }

    static func handshake(clientISN: UInt32 = 100, serverISN: UInt32 = 900) -> [TCPSegment] {
        [
            F.segment(c, s, seq: clientISN, flags: .syn),
            F.segment(s, c, seq: serverISN, ack: clientISN &+ 1, flags: [.syn, .ack]),
            F.segment(c, s, seq: clientISN &+ 1, ack: serverISN &+ 1, flags: .ack),
        ]
    }

    @Test func inOrderWithHandshakeAndFins() {
        let run = ReassemblyRun(
            Self.handshake() + [
                Self.data(101, "hello "), Self.data(107, "world"), Self.data(901, "reply", from: false),
                Self.data(112, "", flags: [.fin, .ack]), Self.data(906, "", from: false, flags: [.fin, .ack]),
                Self.data(113, "", flags: .ack),
            ])
        #expect(run.text() == "hello world")
        #expect(run.text(.serverToClient) == "reply")
        #expect(run.opened.count == 1 && run.opened[0].handshakeSeen && run.opened[0].client == Self.c)
        #expect(run.closes(.clientToServer) == [.fin] && run.closes(.serverToClient) == [.fin])
        #expect(run.finishedCount == 1)
        #expect(run.gaps().isEmpty && run.midstream.isEmpty)
    }

    @Test func outOfOrderRetransmittedAndOverlapping() {
        let run = ReassemblyRun(
            Self.handshake() + [
                Self.data(111, "KLMNO"),  // early
                Self.data(101, "ABCDE"),
                Self.data(101, "ABCDE"),  // retransmission
                Self.data(104, "DEFGHIJ"),  // overlaps delivered bytes and fills the hole
                Self.data(113, "MNOPQ"),  // overlaps the buffered segment's tail
                Self.data(106, "FGHIJKLMNOPQRS"),  // entirely overlapping, adds "RS"
            ])
        #expect(run.text() == "ABCDEFGHIJKLMNOPQRS")
        #expect(run.gaps().isEmpty)
    }

    @Test func sequenceNumbersWrap() {
        let run = ReassemblyRun(
            Self.handshake(clientISN: 0xFFFF_FFFD) + [
                Self.data(0xFFFF_FFFE, "ab"), Self.data(2, "ef"), Self.data(0, "cd"),
            ])
        #expect(run.text() == "abcdef")
    }

    @Test func snapLengthCutIsAPreciseGap() {
        var cut = Self.data(104, "DEF")
        cut.missingPayloadBytes = 7
        let run = ReassemblyRun(Self.handshake() + [Self.data(101, "ABC"), cut, Self.data(114, "XYZ")])
        #expect(run.text() == "ABCDEFXYZ")
        let gaps = run.gaps()
        #expect(gaps.count == 1)
        #expect(
            gaps.first == StreamGap(streamOffset: 6, length: 7, cause: .truncatedPacket(packet: 5), detectedAtPacket: 5)
        )
    }

    @Test func missingSegmentsBecomeAGapAtTheEnd() {
        let run = ReassemblyRun(Self.handshake() + [Self.data(101, "ABC"), Self.data(110, "JKL")])
        #expect(run.text() == "ABCJKL")
        #expect(run.gaps() == [StreamGap(streamOffset: 3, length: 6, cause: .missingSegments, detectedAtPacket: 5)])
        #expect(run.closes(.clientToServer) == [.endOfCapture])
    }

    @Test func outOfOrderBufferIsBounded() {
        let limits = TCPReassemblyLimits(maxBufferedBytesPerDirection: 8)
        let run = ReassemblyRun(
            Self.handshake() + [Self.data(111, "abcd"), Self.data(115, "efgh"), Self.data(119, "ijkl")], limits: limits)
        // The third early segment exceeds 8 buffered bytes: the hole before the first is declared a gap.
        #expect(
            run.gaps().first == StreamGap(streamOffset: 0, length: 10, cause: .missingSegments, detectedAtPacket: 6))
        #expect(run.text() == "abcdefghijkl")
    }

    @Test func midstreamCaptureStartsAtFirstSeenByte() {
        let run = ReassemblyRun([
            Self.data(5000, "middle"), Self.data(700, "answer", from: false), Self.data(5006, "end"),
        ])
        #expect(run.opened.first?.handshakeSeen == false)
        #expect(run.opened.first?.client == Self.c)
        #expect(run.midstream == [.clientToServer, .serverToClient])
        #expect(run.text() == "middleend")
        #expect(run.text(.serverToClient) == "answer")
    }

    @Test func resetEndsBothDirections() {
        let run = ReassemblyRun(
            Self.handshake() + [Self.data(101, "abc"), Self.data(901, "", from: false, flags: .rst)])
        #expect(run.closes(.clientToServer) == [.reset])
        #expect(run.closes(.serverToClient) == [.reset])
        #expect(run.finishedCount == 1)
    }

    @Test func portReuseOpensANewStreamAndLateRetransmissionsAreIgnored() {
        let first =
            Self.handshake() + [
                Self.data(101, "one"), Self.data(104, "", flags: [.fin, .ack]),
                Self.data(901, "", from: false, flags: [.fin, .ack]),
            ]
        let run = ReassemblyRun(
            first + [Self.data(101, "one")] + Self.handshake(clientISN: 7000) + [Self.data(7001, "two")])
        #expect(run.opened.map(\.id.index) == [0, 1])
        #expect(run.text(stream: 0) == "one")
        #expect(run.text(stream: 1) == "two")
    }

    @Test func pureAcksDoNotOpenStreams() {
        let run = ReassemblyRun([Self.data(1, "", flags: .ack), Self.data(1, "", flags: [.fin, .ack])])
        #expect(run.opened.isEmpty)
    }

    @Test func tooManyStreamsEvictTheLeastRecent() {
        let limits = TCPReassemblyLimits(maxOpenStreams: 2)
        let segments = (0..<3).map { index in
            F.segment(Endpoint(address: .v4(1), port: UInt16(1000 + index)), Self.s, seq: 1, payload: "x")
        }
        let run = ReassemblyRun(segments, limits: limits)
        #expect(run.closes(.clientToServer).first == .evicted)
        #expect(run.finishedCount == 3)
    }
}
