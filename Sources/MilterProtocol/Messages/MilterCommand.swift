import NIOCore

/// A command from the MTA to the milter.
///
/// Each case documents its wire form; the tests hold a byte fixture for every one.
public enum MilterCommand: Hashable, Sendable {
    /// `O`: option negotiation, the first command of a connection. Answered with an `O` reply.
    case optionNegotiation(OptionNegotiation)
    /// `D`: macros for the next command. Never answered.
    case macro(MacroDefinition)
    /// `C`: the SMTP client connected.
    case connect(ConnectInfo)
    /// `H`: the HELO or EHLO argument, `helo\0`.
    case helo(MilterString)
    /// `M`: MAIL FROM, address and ESMTP arguments.
    case mail(EnvelopeAddress)
    /// `R`: RCPT TO, address and ESMTP arguments.
    case recipient(EnvelopeAddress)
    /// `T`: DATA (v4+). Empty.
    case data
    /// `L`: one header field.
    case header(HeaderField)
    /// `N`: end of headers. Empty.
    case endOfHeaders
    /// `B`: a body chunk of at most 65535 bytes, CRLF line ends.
    case body(ByteBuffer)
    /// `E`: end of message. Usually empty; libmilter treats data as a last body chunk.
    case endOfMessage(ByteBuffer)
    /// `A`: abort the current message. Never answered; comes after every transaction from Postfix.
    case abort
    /// `Q`: quit; the MTA closes the connection. Never answered.
    case quit
    /// `K`: quit, but a new CONNECT follows on this connection without a new OPTNEG (v6). Never answered.
    case quitNewConnection
    /// `U`: an SMTP command the MTA did not recognise, `command\0` (v3+).
    case unknown(MilterString)

    /// The command bytes.
    public enum ID: UInt8, Hashable, Sendable, CaseIterable {
        /// `O`
        case optionNegotiation = 0x4F
        /// `D`
        case macro = 0x44
        /// `C`
        case connect = 0x43
        /// `H`
        case helo = 0x48
        /// `M`
        case mail = 0x4D
        /// `R`
        case recipient = 0x52
        /// `T`
        case data = 0x54
        /// `L`
        case header = 0x4C
        /// `N`
        case endOfHeaders = 0x4E
        /// `B`
        case body = 0x42
        /// `E`
        case endOfMessage = 0x45
        /// `A`
        case abort = 0x41
        /// `Q`
        case quit = 0x51
        /// `K`
        case quitNewConnection = 0x4B
        /// `U`
        case unknown = 0x55
    }

    /// This command's byte.
    public var id: ID {
        switch self {
        case .optionNegotiation: .optionNegotiation
        case .macro: .macro
        case .connect: .connect
        case .helo: .helo
        case .mail: .mail
        case .recipient: .recipient
        case .data: .data
        case .header: .header
        case .endOfHeaders: .endOfHeaders
        case .body: .body
        case .endOfMessage: .endOfMessage
        case .abort: .abort
        case .quit: .quit
        case .quitNewConnection: .quitNewConnection
        case .unknown: .unknown
        }
    }
}

extension MilterCommand.ID: CustomStringConvertible {
    /// The name transcripts and logs print, such as `MAIL` or `CONTINUE`.
    public var name: StaticString {
        switch self {
        case .optionNegotiation: "OPTNEG"
        case .macro: "MACRO"
        case .connect: "CONNECT"
        case .helo: "HELO"
        case .mail: "MAIL"
        case .recipient: "RCPT"
        case .data: "DATA"
        case .header: "HEADER"
        case .endOfHeaders: "EOH"
        case .body: "BODY"
        case .endOfMessage: "BODYEOB"
        case .abort: "ABORT"
        case .quit: "QUIT"
        case .quitNewConnection: "QUIT_NC"
        case .unknown: "UNKNOWN"
        }
    }

    /// ``name`` as a string.
    public var description: String { name.description }
}
