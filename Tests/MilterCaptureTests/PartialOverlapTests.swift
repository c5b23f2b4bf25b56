import MilterCapture
import NIOCore
import Testing

/// A segment that repeats only part of the bytes already delivered (at its start, at its end, or across two
/// delivered segments) is compared with them over the part it shares: where the bytes differ the conflict is
/// reported and the first copy stands; where they are equal nothing is reported.
@Suite struct PartialOverlapTests {
    typealias T = TCPReassemblerTests

    static func conflicts(_ run: ReassemblyRun) -> [StreamConflict] {
        ConflictingCopiesTests.conflicts(run)
    }

    /// The segment's first three bytes were delivered ("FGH"), its last three are new.
    @Test(arguments: [("FGHIJK", false), ("FXHIJK", true)])
    func anOverlapAtTheStartOfASegment(payload: String, differs: Bool) {
        let run = ReassemblyRun(T.handshake() + [T.data(101, "ABCDEFGH"), T.data(106, payload)])
        #expect(run.text() == "ABCDEFGHIJK")
        #expect(Self.conflicts(run) == (differs ? [StreamConflict(streamOffset: 5, length: 3, packet: 5)] : []))
    }

    /// The capture starts mid-stream at "ABCDEFGH"; a retransmission from four bytes earlier ends on "ABC".
    @Test(arguments: [("wxyzABC", false), ("wxyzAXC", true)])
    func anOverlapAtTheEndOfASegment(payload: String, differs: Bool) {
        let run = ReassemblyRun([T.data(101, "ABCDEFGH"), T.data(97, payload)])
        #expect(run.text() == "ABCDEFGH")
        #expect(Self.conflicts(run) == (differs ? [StreamConflict(streamOffset: 0, length: 3, packet: 2)] : []))
    }

    /// Only the latest 8 delivered bytes are kept ("IJKLMNOP"): a retransmission of "FGHIJK" shares its end with
    /// them.
    @Test(arguments: [("FGHIJK", false), ("FGHIXK", true)])
    func anOverlapAtTheEndWithTheBytesKept(payload: String, differs: Bool) {
        let limits = TCPReassemblyLimits(maxKeptDeliveredBytesPerDirection: 8)
        let run = ReassemblyRun(
            T.handshake() + [T.data(101, "ABCDEFGH"), T.data(109, "IJKLMNOP"), T.data(106, payload)], limits: limits)
        #expect(run.text() == "ABCDEFGHIJKLMNOP")
        #expect(Self.conflicts(run) == (differs ? [StreamConflict(streamOffset: 8, length: 3, packet: 6)] : []))
    }

    /// A retransmission that covers the end of one delivered segment and the start of the next.
    @Test(arguments: [("CDEFG", false), ("CDEFX", true), ("XDEFG", true)])
    func anOverlapAcrossTwoDeliveredSegments(payload: String, differs: Bool) {
        let run = ReassemblyRun(T.handshake() + [T.data(101, "ABCDE"), T.data(106, "FGHIJ"), T.data(103, payload)])
        #expect(run.text() == "ABCDEFGHIJ")
        #expect(Self.conflicts(run) == (differs ? [StreamConflict(streamOffset: 2, length: 5, packet: 6)] : []))
    }

    /// The copies are counted against their total from a direction's first segment; a direction that starts when
    /// the total is taken keeps none, so its partial overlaps are not compared.
    @Test func theCopiesStayWithinTheirTotal() {
        let limits = TCPReassemblyLimits(maxKeptDeliveredBytesPerDirection: 8, maxKeptDeliveredBytesTotal: 8)
        let run = ReassemblyRun(
            T.handshake() + [
                T.data(101, "ABCDEFGH"), T.data(106, "FXHIJK"), T.data(901, "abcdefgh", from: false),
                T.data(906, "fxhijk", from: false),
            ], limits: limits)
        #expect(run.text() == "ABCDEFGHIJK")
        #expect(run.text(.serverToClient) == "abcdefghijk")
        #expect(Self.conflicts(run) == [StreamConflict(streamOffset: 5, length: 3, packet: 5)])
    }

    /// A segment's digest is made only when its bytes leave the 8 bytes kept (from the copy, wrapped around the
    /// ring for "FGHIJ"), or when a gap makes the copy start again: a later whole retransmission of it is still
    /// compared, also where it differs only in bytes no longer kept.
    @Test(arguments: [
        ("ABCDE", 101, false), ("ABXDE", 101, true), ("FGHIJ", 106, false), ("FXHIJ", 106, true),
        ("FGHIX", 106, true),
    ])
    func aSegmentNoLongerKeptIsComparedByItsDigest(payload: String, sequence: Int, differs: Bool) {
        let limits = TCPReassemblyLimits(maxKeptDeliveredBytesPerDirection: 8)
        let run = ReassemblyRun(
            T.handshake() + [
                T.data(101, "ABCDE"), T.data(106, "FGHIJ"), T.data(111, "KLMNO"), T.data(UInt32(sequence), payload),
            ], limits: limits)
        #expect(run.text() == "ABCDEFGHIJKLMNO")
        let offset = Int64(sequence - 101)
        #expect(Self.conflicts(run) == (differs ? [StreamConflict(streamOffset: offset, length: 5, packet: 7)] : []))
    }

    /// "KLMNO" comes after a hole that no segment fills: the copy starts again from it, and "ABCDE" is compared
    /// by its digest.
    @Test(arguments: [("ABCDE", false), ("ABXDE", true)])
    func aSegmentBeforeAGapIsComparedByItsDigest(payload: String, differs: Bool) {
        let limits = TCPReassemblyLimits(maxBufferedSegmentsPerDirection: 0, maxKeptDeliveredBytesPerDirection: 8)
        let run = ReassemblyRun(
            T.handshake() + [T.data(101, "ABCDE"), T.data(111, "KLMNO"), T.data(101, payload)], limits: limits)
        #expect(run.text() == "ABCDEKLMNO")
        #expect(Self.conflicts(run) == (differs ? [StreamConflict(streamOffset: 0, length: 5, packet: 6)] : []))
    }
}
