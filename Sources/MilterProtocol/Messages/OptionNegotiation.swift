import NIOCore

/// The payload of OPTNEG (`O`), sent by the MTA and answered by the milter in kind.
///
/// Wire form: `u32 version, u32 actions, u32 protocol`. The milter's answer may go on with
/// symbol lists: repeated `u32 stage` and `"space separated macro names"\0`.
public struct OptionNegotiation: Hashable, Sendable {
    /// The protocol version.
    public var version: MilterVersion
    /// The actions offered (MTA) or wanted (milter).
    public var actions: MilterActions
    /// The protocol bits offered (MTA) or wanted (milter).
    public var protocolFlags: MilterProtocolFlags
    /// Symbol lists; only a milter's answer carries them.
    public var symbolLists: [SymbolList]

    /// Creates an OPTNEG payload.
    public init(
        version: MilterVersion, actions: MilterActions, protocolFlags: MilterProtocolFlags,
        symbolLists: [SymbolList] = []
    ) {
        self.version = version
        self.actions = actions
        self.protocolFlags = protocolFlags
        self.symbolLists = symbolLists
    }
}

/// The macros a milter wants at one stage, sent after the OPTNEG reply's 12 bytes.
///
/// An empty list means "no macros" to libmilter and "the defaults" to Postfix (pitfall 16).
public struct SymbolList: Hashable, Sendable {
    /// The stage, by its wire number.
    public var stage: MacroStage
    /// The macro names, space-separated, exactly as on the wire.
    public var macros: MilterString

    /// Creates a symbol list from its wire text.
    public init(stage: MacroStage, macros: MilterString) {
        self.stage = stage
        self.macros = macros
    }

    /// Creates a symbol list from names.
    public init(stage: MacroStage, names: [String]) {
        self.init(stage: stage, macros: MilterString(names.joined(separator: " ")))
    }

    /// The names, split on commas and white space (space, tab, CR, LF), as Postfix and Sendmail
    /// split them: `{auth_type},{auth_authen}` is two names.
    public var names: [String] {
        macros.string.split(whereSeparator: { ",\t\r\n ".contains($0) }).map(String.init)
    }
}

extension ByteBuffer {
    @usableFromInline
    mutating func readOptionNegotiation(allowSymbolLists: Bool) throws(MilterProtocolError) -> OptionNegotiation {
        let version = try readMilterUInt32("the OPTNEG version")
        let actions = try readMilterUInt32("the OPTNEG actions")
        let flags = try readMilterUInt32("the OPTNEG protocol mask")
        var lists: [SymbolList] = []
        if allowSymbolLists {
            while readableBytes > 0 {
                let stage = try readMilterUInt32("a symbol list stage")
                lists.append(SymbolList(stage: MacroStage(rawValue: stage), macros: try readMilterString()))
            }
        } else {
            try expectEmpty("OPTNEG after its 12 bytes")
        }
        return OptionNegotiation(
            version: MilterVersion(rawValue: version), actions: MilterActions(rawValue: actions),
            protocolFlags: MilterProtocolFlags(rawValue: flags), symbolLists: lists)
    }

    @usableFromInline
    mutating func writeOptionNegotiation(_ negotiation: OptionNegotiation) throws(MilterProtocolError) {
        writeInteger(negotiation.version.rawValue, endianness: .big)
        writeInteger(negotiation.actions.rawValue, endianness: .big)
        writeInteger(negotiation.protocolFlags.rawValue, endianness: .big)
        for list in negotiation.symbolLists {
            writeInteger(list.stage.rawValue, endianness: .big)
            try writeMilterString(list.macros)
        }
    }
}
