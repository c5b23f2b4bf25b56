import MilterProtocol
import NIOCore

/// Decides whether an unrecognised stream is milter traffic from its first bytes: the first frame must be an
/// OPTNEG with a version libmilter knows. The sender of a 12-byte OPTNEG is the MTA; a longer one is the
/// milter's answer (the capture missed the MTA's offer).
package enum MilterStreamClassifier {
    /// What the first bytes say.
    package enum Verdict: Equatable {
        case undecided
        case notMilter
        case milter(mtaDirection: StreamDirection)
    }

    /// The longest OPTNEG answer (with symbol lists) waited for.
    package static let maximumNegotiationLength = 64 * 1024

    /// `cut` is true when a gap follows `firstBytes`: then an OPTNEG header (and its version, if captured)
    /// is taken as enough, since the snap length may have cut the rest.
    package static func classify(firstBytes: ByteBuffer, direction: StreamDirection, cut: Bool = false) -> Verdict {
        let start = firstBytes.readerIndex
        guard let length = firstBytes.getInteger(at: start, as: UInt32.self),
            let command = firstBytes.getInteger(at: start + 4, as: UInt8.self)
        else { return cut ? .notMilter : .undecided }
        guard command == MilterCommand.ID.optionNegotiation.rawValue, length >= 13,
            length <= maximumNegotiationLength
        else { return .notMilter }
        let other: StreamDirection = direction == .clientToServer ? .serverToClient : .clientToServer
        guard let payload = firstBytes.getSlice(at: start + 5, length: Int(length) - 1) else {
            guard cut else { return .undecided }
            if let version = firstBytes.getInteger(at: start + 5, as: UInt32.self), !(2...6).contains(version) {
                return .notMilter
            }
            return .milter(mtaDirection: length == 13 ? direction : other)
        }
        let frame = MilterFrame(command: command, payload: payload)
        if length == 13, case .command(.optionNegotiation(let offer)) = CapturedFrame.decode(frame, direction: .fromMTA)
        {
            return plausible(offer) ? .milter(mtaDirection: direction) : .notMilter
        }
        if case .reply(.optionNegotiation(let answer)) = CapturedFrame.decode(frame, direction: .fromMilter) {
            return plausible(answer) ? .milter(mtaDirection: other) : .notMilter
        }
        return .notMilter
    }

    /// How many first bytes ``classify(firstBytes:direction:cut:)`` needs to answer other than `.undecided`,
    /// given that it answered `.undecided` for `firstBytes` with no gap after them: a frame header, then the whole
    /// OPTNEG frame it announces. Asked again for fewer bytes that start as `firstBytes`, it is `.undecided` again.
    package static func bytesBeforeVerdict(after firstBytes: ByteBuffer) -> Int {
        guard firstBytes.readableBytes >= 5,
            let length = firstBytes.getInteger(at: firstBytes.readerIndex, as: UInt32.self)
        else { return 5 }
        return 4 + Int(length)
    }

    private static func plausible(_ negotiation: OptionNegotiation) -> Bool {
        (2...6).contains(negotiation.version.rawValue)
    }
}

/// Remembers the last classification: consecutive streams of a capture mostly open with the same OPTNEG, and
/// ``MilterStreamClassifier/classify(firstBytes:direction:cut:)`` (which decodes it) depends on nothing else.
package struct ClassificationMemo {
    /// The longest first bytes kept; longer ones are classified every time.
    package static let maximumKeptBytes = 256
    private var last: (bytes: [UInt8], direction: StreamDirection, cut: Bool, verdict: MilterStreamClassifier.Verdict)?
    /// The first bytes classified, over all calls: tests check that they grow linearly with a stream's bytes.
    package private(set) var classifiedBytes = 0

    /// A memo that remembers nothing yet.
    package init() {}

    /// What ``MilterStreamClassifier/classify(firstBytes:direction:cut:)`` gives.
    package mutating func classify(
        firstBytes: ByteBuffer, direction: StreamDirection, cut: Bool = false
    ) -> MilterStreamClassifier.Verdict {
        classifiedBytes += firstBytes.readableBytes
        if let last, last.direction == direction, last.cut == cut,
            firstBytes.readableBytesView.elementsEqual(last.bytes)
        {
            return last.verdict
        }
        let verdict = MilterStreamClassifier.classify(firstBytes: firstBytes, direction: direction, cut: cut)
        if firstBytes.readableBytes <= Self.maximumKeptBytes {
            last = (Array(firstBytes.readableBytesView), direction, cut, verdict)
        }
        return verdict
    }
}
