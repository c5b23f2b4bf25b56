import MilterCapture
import MilterProtocol
import NIOCore
import Testing

/// Two captured copies of the same bytes of a stream that differ: the first copy stands, and the capture is
/// reported ambiguous there; identical copies are silent.
@Suite struct ConflictingCopiesTests {
    typealias T = TCPReassemblerTests
    typealias C = MilterConversation

    static func conflicts(_ run: ReassemblyRun) -> [StreamConflict] {
        run.events.compactMap { if case .conflictingCopies(_, _, let conflict) = $0 { conflict } else { nil } }
    }

    @Test func aRetransmissionOfDeliveredBytesWithOtherBytesIsReportedAndTheFirstCopyStands() {
        let run = ReassemblyRun(T.handshake() + [T.data(101, "ABCDE"), T.data(106, "FGH"), T.data(101, "ABXDE")])
        #expect(run.text() == "ABCDEFGH")
        #expect(Self.conflicts(run) == [StreamConflict(streamOffset: 0, length: 5, packet: 6)])
    }

    @Test func anOverlapOfBytesHeldOutOfOrderWithOtherBytesIsReportedAndTheFirstCopyStands() {
        let run = ReassemblyRun(
            T.handshake() + [T.data(111, "KLMNO"), T.data(113, "MNXPQ"), T.data(101, "ABCDEFGHIJ")])
        #expect(run.text() == "ABCDEFGHIJKLMNOPQ")
        #expect(Self.conflicts(run) == [StreamConflict(streamOffset: 12, length: 3, packet: 5)])
    }

    /// The later copy starts before the held one, so it comes first in stream order: the held bytes still stand
    /// over the overlap, whether the later copy is held too or delivered at once.
    @Test(arguments: [("KLXNO", UInt32(111), 3), ("ABCDEFGHIJKLX", UInt32(101), 1)])
    func aLaterCopyBeforeHeldBytesDoesNotReplaceThem(payload: String, sequenceNumber: UInt32, overlap: Int) {
        let run = ReassemblyRun(
            T.handshake() + [T.data(113, "MNOPQ"), T.data(sequenceNumber, payload), T.data(101, "ABCDEFGHIJ")])
        #expect(run.text() == "ABCDEFGHIJKLMNOPQ")
        #expect(Self.conflicts(run) == [StreamConflict(streamOffset: 12, length: overlap, packet: 5)])
    }

    @Test func identicalRetransmissionsAndOverlapsAreSilent() {
        let run = ReassemblyRun(
            T.handshake() + [
                T.data(111, "KLMNO"), T.data(101, "ABCDE"), T.data(101, "ABCDE"), T.data(104, "DEFGHIJ"),
                T.data(113, "MNOPQ"), T.data(106, "FGHIJKLMNOPQRS"), T.data(101, "ABCDE"),
            ])
        #expect(run.text() == "ABCDEFGHIJKLMNOPQRS")
        #expect(Self.conflicts(run).isEmpty)
    }

    /// The conversation with its MAIL segment captured a second time after the milter's reply, with `sender` for
    /// Alice's address (as long).
    static func captureWithRetransmittedMail(sender: String) throws -> [UInt8] {
        var segments = try C.segments(C.steps())
        let index = try #require(
            segments.firstIndex { String(buffer: $0.payload).contains("<alice@example.net>") })
        var copy = segments[index]
        let text = String(buffer: copy.payload).replacingOccurrences(of: "alice", with: sender)
        copy.payload = ByteBuffer(bytes: Array(text.utf8))
        #expect(copy.payload.readableBytes == segments[index].payload.readableBytes)
        segments.insert(copy, at: index + 2)
        return C.pcap(segments)
    }

    @Test(arguments: [("mallo", true), ("alice", false)])
    func theScanAndTheDumpReportARetransmissionWithOtherBytes(sender: String, differs: Bool) throws {
        let bytes = try Self.captureWithRetransmittedMail(sender: sender)
        let (scan, reference) = try DumpPipelineTests.singleThreadedTranscript(bytes)
        let session = try #require(scan.sessions.first)
        let conflicts = session.issues.filter { if case .conflictingCopies = $0.kind { true } else { false } }
        let mail = session.frames.compactMap { frame -> MilterCommand? in
            if case .command(let command) = frame.decoded, command.id == .mail { command } else { nil }
        }
        #expect(mail == [.mail(EnvelopeAddress(address: "<alice@example.net>", arguments: ["SIZE=100"]))])
        #expect(session.frames.count == 28)
        #expect(conflicts.count == (differs ? 1 : 0))
        #expect(session.isClean == !differs)
        if let conflict = conflicts.first {
            #expect(conflict.direction == .fromMTA)
            #expect(conflict.description.contains("retransmission differs from the first copy"))
        }
        // The dump takes the first copy the fast way; its text is the scan's.
        var output = ""
        _ = try DumpPipelineTests.withCapture(bytes) { path in try CaptureDump.run(path: path) { output += $0 } }
        #expect(output == reference)
        #expect(output.contains("retransmission differs from the first copy") == differs)
    }
}
