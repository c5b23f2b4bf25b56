import MilterProtocol

/// The events that carry macros, as `--macro STAGE:NAME=VALUE` and symbol lists name them.
///
/// Postfix sends the end-of-header macros before every HEADER (stage `L`) and before EOH
/// (stage `N`), and the end-of-data macros before every BODY chunk (stage `B`) and before end
/// of message (stage `E`).
public enum MacroEvent: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// CONNECT.
    case connect
    /// HELO.
    case helo
    /// MAIL.
    case mail
    /// RCPT.
    case rcpt
    /// DATA.
    case data
    /// HEADER and EOH.
    case eoh
    /// BODY and end of message.
    case eom
    /// UNKNOWN.
    case unknown

    /// The name used on the command line.
    public var description: String { rawValue }

    /// The stage of the OPTNEG symbol lists that replaces this event's macro names, if any.
    public var symbolListStage: MacroStage? {
        switch self {
        case .connect: .connect
        case .helo: .helo
        case .mail: .mail
        case .rcpt: .recipient
        case .data: .data
        case .eoh: .endOfHeaders
        case .eom: .endOfMessage
        case .unknown: nil
        }
    }

    /// The event whose macros go before a command, if the command carries macros.
    public init?(command: MilterCommand.ID) {
        switch command {
        case .connect: self = .connect
        case .helo: self = .helo
        case .mail: self = .mail
        case .recipient: self = .rcpt
        case .data: self = .data
        case .header, .endOfHeaders: self = .eoh
        case .body, .endOfMessage: self = .eom
        case .unknown: self = .unknown
        default: return nil
        }
    }
}
