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

    static func classify(firstBytes: ByteBuffer, direction: StreamDirection) -> Verdict {
        let start = firstBytes.readerIndex
        guard let length = firstBytes.getInteger(at: start, as: UInt32.self),
            let command = firstBytes.getInteger(at: start + 4, as: UInt8.self)
        else { return .undecided }
        guard command == MilterCommand.ID.optionNegotiation.rawValue, length >= 13,
            length <= maximumNegotiationLength
        else { return .notMilter }
        guard let payload = firstBytes.getSlice(at: start + 5, length: Int(length) - 1) else { return .undecided }
        let frame = MilterFrame(command: command, payload: payload)
        let other: StreamDirection = direction == .clientToServer ? .serverToClient : .clientToServer
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
