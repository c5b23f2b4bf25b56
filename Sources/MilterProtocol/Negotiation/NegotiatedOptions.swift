/// The outcome of OPTNEG that both sides act on.
public struct NegotiatedOptions: Hashable, Sendable {
    /// The agreed version: the milter's answer.
    public var version: MilterVersion
    /// The actions the milter may take.
    public var actions: MilterActions
    /// The protocol bits in force, internal bits masked and bits of later versions dropped.
    public var protocolFlags: MilterProtocolFlags
    /// The milter's symbol lists, if it sent any.
    public var symbolLists: [SymbolList]
    /// Bits the milter wanted but the MTA did not offer. For each NR bit here the milter must send
    /// CONTINUE itself; for each NO bit the event still arrives.
    public var unofferedFlags: MilterProtocolFlags

    /// Creates an agreement.
    public init(
        version: MilterVersion, actions: MilterActions, protocolFlags: MilterProtocolFlags,
        symbolLists: [SymbolList] = [], unofferedFlags: MilterProtocolFlags = []
    ) {
        self.version = version
        self.actions = actions
        self.protocolFlags = protocolFlags
        self.symbolLists = symbolLists
        self.unofferedFlags = unofferedFlags
    }

    /// Whether the MTA sends this command at all under the agreement.
    public func sends(_ command: MilterCommand.ID) -> Bool {
        switch command {
        case .data: return version.hasData && !protocolFlags.contains(.noData)
        case .unknown: return version.hasUnknown && !protocolFlags.contains(.noUnknown)
        case .quitNewConnection: return version.hasVersion6Features
        default:
            guard let flag = Self.noEventFlag(command) else { return true }
            return !protocolFlags.contains(flag)
        }
    }

    /// Whether the MTA waits for a reply after sending this command.
    public func awaitsReply(to command: MilterCommand.ID) -> Bool {
        switch command {
        case .macro, .abort, .quit, .quitNewConnection: return false
        default:
            guard let flag = Self.noReplyFlag(command) else { return true }
            return !protocolFlags.contains(flag)
        }
    }

    /// The largest payload either side may send.
    public var maximumDataSize: Int { protocolFlags.maximumDataSize }

    /// The macro names the milter asked for at a stage, or `nil` for the MTA's defaults.
    public func symbolList(for stage: MacroStage) -> [String]? {
        symbolLists.last { $0.stage == stage }?.names
    }

    /// The NO flag that switches `command` off, if one does. A switch, not a dictionary: every
    /// step of a session asks, and a lookup by hash cost more than the rest of the check.
    static func noEventFlag(_ command: MilterCommand.ID) -> MilterProtocolFlags? {
        switch command {
        case .connect: .noConnect
        case .helo: .noHelo
        case .mail: .noMail
        case .recipient: .noRecipient
        case .header: .noHeaders
        case .endOfHeaders: .noEndOfHeaders
        case .body: .noBody
        default: nil
        }
    }

    /// The NR flag that lets the milter leave `command` unanswered, if one does.
    static func noReplyFlag(_ command: MilterCommand.ID) -> MilterProtocolFlags? {
        switch command {
        case .connect: .noReplyConnect
        case .helo: .noReplyHelo
        case .mail: .noReplyMail
        case .recipient: .noReplyRecipient
        case .data: .noReplyData
        case .unknown: .noReplyUnknown
        case .header: .noReplyHeader
        case .endOfHeaders: .noReplyEndOfHeaders
        case .body: .noReplyBody
        default: nil
        }
    }
}
