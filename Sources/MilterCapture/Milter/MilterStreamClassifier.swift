import MilterProtocol
import NIOCore

/// Decides whether an unrecognised stream is milter traffic from its first bytes: the first frame must be an
/// OPTNEG with a version libmilter knows. The sender of a 12-byte OPTNEG is the MTA; a longer one is the
/// milter's answer (the capture missed the MTA's offer).
enum MilterStreamClassifier {
    enum Verdict {
        case undecided
        case notMilter
        case milter(mtaDirection: StreamDirection)
    }

    /// The longest OPTNEG answer (with symbol lists) waited for.
    static let maximumNegotiationLength = 64 * 1024

    /// `cut` is true when a gap follows `firstBytes`: then an OPTNEG header (and its version, if captured)
    /// is taken as enough, since the snap length may have cut the rest.
    static func classify(firstBytes: ByteBuffer, direction: StreamDirection, cut: Bool = false) -> Verdict {
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

    private static func plausible(_ negotiation: OptionNegotiation) -> Bool {
        (2...6).contains(negotiation.version.rawValue)
    }
}
