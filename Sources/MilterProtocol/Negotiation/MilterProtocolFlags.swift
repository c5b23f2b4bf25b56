/// The protocol bits (SMFIP_*) of OPTNEG: events to skip, replies to omit, and extensions.
public struct MilterProtocolFlags: OptionSet, Hashable, Sendable, CustomStringConvertible {
    /// The bits.
    public var rawValue: UInt32
    /// Creates a set from its bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Do not send CONNECT.
    public static let noConnect = MilterProtocolFlags(rawValue: 0x1)
    /// Do not send HELO.
    public static let noHelo = MilterProtocolFlags(rawValue: 0x2)
    /// Do not send MAIL.
    public static let noMail = MilterProtocolFlags(rawValue: 0x4)
    /// Do not send RCPT.
    public static let noRecipient = MilterProtocolFlags(rawValue: 0x8)
    /// Do not send BODY chunks.
    public static let noBody = MilterProtocolFlags(rawValue: 0x10)
    /// Do not send HEADER.
    public static let noHeaders = MilterProtocolFlags(rawValue: 0x20)
    /// Do not send EOH.
    public static let noEndOfHeaders = MilterProtocolFlags(rawValue: 0x40)
    /// No reply to HEADER (SMFIP_NR_HDR, also known as SMFIP_NOHREPL).
    public static let noReplyHeader = MilterProtocolFlags(rawValue: 0x80)
    /// Do not send UNKNOWN (v3+).
    public static let noUnknown = MilterProtocolFlags(rawValue: 0x100)
    /// Do not send DATA (v4+).
    public static let noData = MilterProtocolFlags(rawValue: 0x200)
    /// The MTA understands SKIP.
    public static let skip = MilterProtocolFlags(rawValue: 0x400)
    /// Also send rejected RCPTs.
    public static let rejectedRecipients = MilterProtocolFlags(rawValue: 0x800)
    /// No reply to CONNECT.
    public static let noReplyConnect = MilterProtocolFlags(rawValue: 0x1000)
    /// No reply to HELO.
    public static let noReplyHelo = MilterProtocolFlags(rawValue: 0x2000)
    /// No reply to MAIL.
    public static let noReplyMail = MilterProtocolFlags(rawValue: 0x4000)
    /// No reply to RCPT.
    public static let noReplyRecipient = MilterProtocolFlags(rawValue: 0x8000)
    /// No reply to DATA.
    public static let noReplyData = MilterProtocolFlags(rawValue: 0x10000)
    /// No reply to UNKNOWN.
    public static let noReplyUnknown = MilterProtocolFlags(rawValue: 0x20000)
    /// No reply to EOH.
    public static let noReplyEndOfHeaders = MilterProtocolFlags(rawValue: 0x40000)
    /// No reply to BODY chunks.
    public static let noReplyBody = MilterProtocolFlags(rawValue: 0x80000)
    /// Header values keep their leading space.
    public static let headerLeadingSpace = MilterProtocolFlags(rawValue: 0x100000)
    /// Maximum data size 256 KiB - 1.
    public static let maximumDataSize256K = MilterProtocolFlags(rawValue: 0x1000_0000)
    /// Maximum data size 1 MiB - 1.
    public static let maximumDataSize1M = MilterProtocolFlags(rawValue: 0x2000_0000)

    /// Every event-skipping bit (Postfix's SMFIP_NOSEND_MASK).
    public static let noEvents: MilterProtocolFlags = [
        .noConnect, .noHelo, .noMail, .noRecipient, .noBody, .noHeaders, .noEndOfHeaders, .noUnknown, .noData,
    ]
    /// Every no-reply bit (Postfix's SMFIP_NOREPLY_MASK).
    public static let noReplies: MilterProtocolFlags = [
        .noReplyConnect, .noReplyHelo, .noReplyMail, .noReplyRecipient, .noReplyData, .noReplyUnknown,
        .noReplyHeader, .noReplyEndOfHeaders, .noReplyBody,
    ]
    /// The maximum-data-size bits.
    public static let maximumDataSizeBits: MilterProtocolFlags = [.maximumDataSize256K, .maximumDataSize1M]
    /// Bits internal to libmilter (SMFI_INTERNAL, 0x70000000): masked off in every agreement (pitfall 20).
    public static let internalBits = MilterProtocolFlags(rawValue: 0x7000_0000)
    /// Every bit of protocol version 6 (SMFI_CURR_PROT): 0x1FFFFF.
    public static let all = MilterProtocolFlags(rawValue: 0x1F_FFFF)
    /// What libmilter assumes when the MTA offers 0: 0x3F (SMFI_V1_PROT).
    public static let defaultWhenZero = MilterProtocolFlags(rawValue: 0x3F)

    private static let names: [(UInt32, String)] = [
        (0x1, "NOCONNECT"), (0x2, "NOHELO"), (0x4, "NOMAIL"), (0x8, "NORCPT"), (0x10, "NOBODY"),
        (0x20, "NOHDRS"), (0x40, "NOEOH"), (0x80, "NR_HDR"), (0x100, "NOUNKNOWN"), (0x200, "NODATA"),
        (0x400, "SKIP"), (0x800, "RCPT_REJ"), (0x1000, "NR_CONN"), (0x2000, "NR_HELO"), (0x4000, "NR_MAIL"),
        (0x8000, "NR_RCPT"), (0x10000, "NR_DATA"), (0x20000, "NR_UNKN"), (0x40000, "NR_EOH"),
        (0x80000, "NR_BODY"), (0x100000, "HDR_LEADSPC"), (0x1000_0000, "MDS_256K"), (0x2000_0000, "MDS_1M"),
    ]

    /// The SMFIP names, separated by `|`, with any unknown bits in hex.
    public var description: String { FlagNames.describe(rawValue, Self.names) }

    /// The largest payload this set allows: 65535 unless an MDS bit is set.
    public var maximumDataSize: Int {
        if contains(.maximumDataSize1M) { return 1_048_575 }
        if contains(.maximumDataSize256K) { return 262_143 }
        return 65_535
    }
}
