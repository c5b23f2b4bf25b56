/// The actions (SMFIF_*) a milter may take at end of message, as negotiated in OPTNEG.
public struct MilterActions: OptionSet, Hashable, Sendable, CustomStringConvertible {
    /// The bits.
    public var rawValue: UInt32
    /// Creates a set from its bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// SMFIF_ADDHDRS: add headers; also covers INSHEADER.
    public static let addHeaders = MilterActions(rawValue: 0x01)
    /// SMFIF_CHGBODY: replace the body.
    public static let changeBody = MilterActions(rawValue: 0x02)
    /// SMFIF_ADDRCPT: add recipients.
    public static let addRecipients = MilterActions(rawValue: 0x04)
    /// SMFIF_DELRCPT: remove recipients.
    public static let deleteRecipients = MilterActions(rawValue: 0x08)
    /// SMFIF_CHGHDRS: change or delete headers.
    public static let changeHeaders = MilterActions(rawValue: 0x10)
    /// SMFIF_QUARANTINE: quarantine the message.
    public static let quarantine = MilterActions(rawValue: 0x20)
    /// SMFIF_CHGFROM: change the envelope sender (v6).
    public static let changeSender = MilterActions(rawValue: 0x40)
    /// SMFIF_ADDRCPT_PAR: add recipients with ESMTP arguments (v6).
    public static let addRecipientsWithArguments = MilterActions(rawValue: 0x80)
    /// SMFIF_SETSYMLIST: send symbol lists in the OPTNEG reply (v6).
    public static let setSymbolList = MilterActions(rawValue: 0x100)

    /// Every action: 0x1FF.
    public static let all = MilterActions(rawValue: 0x1FF)
    /// The actions of a version 2 filter (SMFI_V2_ACTS): 0x3F.
    public static let version2 = MilterActions(rawValue: 0x3F)
    /// What libmilter assumes when the MTA offers 0: 0x0F (SMFI_V1_ACTS).
    public static let defaultWhenZero = MilterActions(rawValue: 0x0F)

    private static let names: [(UInt32, String)] = [
        (0x01, "ADDHDRS"), (0x02, "CHGBODY"), (0x04, "ADDRCPT"), (0x08, "DELRCPT"), (0x10, "CHGHDRS"),
        (0x20, "QUARANTINE"), (0x40, "CHGFROM"), (0x80, "ADDRCPT_PAR"), (0x100, "SETSYMLIST"),
    ]

    /// The SMFIF names, separated by `|`, with any unknown bits in hex.
    public var description: String { FlagNames.describe(rawValue, Self.names) }
}

enum FlagNames {
    /// The names of the bits set in `value`, joined by `|` in one string (transcripts print one per OPTNEG).
    static func describe(_ value: UInt32, _ names: [(UInt32, String)]) -> String {
        var rest = value
        var text = ""
        text.reserveCapacity(128)
        for (bit, name) in names where value & bit == bit {
            if !text.isEmpty { text += "|" }
            text += name
            rest &= ~bit
        }
        if rest != 0 { text += (text.isEmpty ? "0x" : "|0x") + String(rest, radix: 16) }
        return text.isEmpty ? "none" : text
    }
}
