/// A macro stage as numbered in the symbol lists of the OPTNEG reply.
///
/// The wire numbers are CONNECT 0, HELO 1, MAIL 2, RCPT 3, DATA 4, EOM 5, EOH 6. libmilter's
/// internal indexes swap EOM and EOH; these are the wire numbers.
public struct MacroStage: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The number on the wire.
    public var rawValue: UInt32
    /// Creates a stage from its wire number, whatever it is.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Macros sent with CONNECT.
    public static let connect = MacroStage(rawValue: 0)
    /// Macros sent with HELO.
    public static let helo = MacroStage(rawValue: 1)
    /// Macros sent with MAIL.
    public static let mail = MacroStage(rawValue: 2)
    /// Macros sent with RCPT.
    public static let recipient = MacroStage(rawValue: 3)
    /// Macros sent with DATA.
    public static let data = MacroStage(rawValue: 4)
    /// Macros sent with end of message.
    public static let endOfMessage = MacroStage(rawValue: 5)
    /// Macros sent with end of headers.
    public static let endOfHeaders = MacroStage(rawValue: 6)
    /// All stages, in wire order.
    public static let all: [MacroStage] = [.connect, .helo, .mail, .recipient, .data, .endOfMessage, .endOfHeaders]

    /// Whether the number is one of the seven stages.
    public var isKnown: Bool { rawValue <= 6 }

    /// The command whose MACRO packet carries this stage's macros.
    public var command: MilterCommand.ID? {
        switch rawValue {
        case 0: .connect
        case 1: .helo
        case 2: .mail
        case 3: .recipient
        case 4: .data
        case 5: .endOfMessage
        case 6: .endOfHeaders
        default: nil
        }
    }

    /// The stage's name.
    public var description: String {
        let names = ["connect", "helo", "mail", "rcpt", "data", "eom", "eoh"]
        return isKnown ? names[Int(rawValue)] : "stage(\(rawValue))"
    }
}
