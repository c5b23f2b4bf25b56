/// Where a milter conversation stands, shared by both sides' state machines.
///
/// A transaction runs MAIL, RCPT…, DATA, HEADER…, EOH, BODY…, EOM; each step may repeat where
/// the protocol allows (RCPT, HEADER, BODY) and any may be skipped when negotiated away.
/// ABORT and end of message return to the connection level; ABORT may come at any time, and
/// twice in a row (pitfall 2).
public enum SessionPhase: Int, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Before OPTNEG.
    case negotiation
    /// After OPTNEG or QUIT_NC: CONNECT comes next.
    case awaitingConnect
    /// Between transactions.
    case connection
    /// After MAIL.
    case mail
    /// After a RCPT.
    case recipients
    /// After DATA.
    case data
    /// Among the headers.
    case headers
    /// After EOH, among the body chunks.
    case body
    /// After QUIT, or after a connection-level verdict.
    case closed

    /// Orders phases along the session.
    public static func < (lhs: SessionPhase, rhs: SessionPhase) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The phase's name.
    public var description: String {
        switch self {
        case .negotiation: "negotiation"
        case .awaitingConnect: "awaiting CONNECT"
        case .connection: "connection"
        case .mail: "MAIL"
        case .recipients: "RCPT"
        case .data: "DATA"
        case .headers: "headers"
        case .body: "body"
        case .closed: "closed"
        }
    }

    /// Whether a message transaction is open.
    public var inTransaction: Bool { self >= .mail && self <= .body }
}

enum CommandOrder {
    /// The phase a command moves to from `phase`, or `nil` when it may not come now.
    static func next(after command: MilterCommand.ID, from phase: SessionPhase) -> SessionPhase? {
        switch command {
        case .optionNegotiation: return phase == .negotiation ? .awaitingConnect : nil
        case .macro: return phase == .negotiation || phase == .closed ? nil : phase
        case .connect: return phase == .awaitingConnect ? .connection : nil
        case .quitNewConnection: return phase > .negotiation && phase < .closed ? .awaitingConnect : nil
        case .quit: return .closed
        case .abort: return phase >= .connection && phase < .closed ? .connection : nil
        case .helo: return phase == .connection ? .connection : nil
        case .unknown: return phase >= .connection && phase <= .recipients ? phase : nil
        case .mail: return phase == .connection ? .mail : nil
        case .recipient: return phase == .mail || phase == .recipients ? .recipients : nil
        case .endOfMessage: return phase.inTransaction ? .connection : nil
        case .data, .header, .endOfHeaders, .body: return transactionStep(command, from: phase)
        }
    }

    private static func transactionStep(_ command: MilterCommand.ID, from phase: SessionPhase) -> SessionPhase? {
        let target: SessionPhase
        switch command {
        case .data: target = .data
        case .header: target = .headers
        case .endOfHeaders, .body: target = .body
        default: return nil
        }
        guard phase.inTransaction else { return nil }
        // Steps go forward; HEADER and BODY repeat; EOH comes once, from before the body.
        if command == .endOfHeaders { return phase < .body ? .body : nil }
        if command == .data { return phase < .data ? .data : nil }
        return phase <= target ? target : nil
    }
}
