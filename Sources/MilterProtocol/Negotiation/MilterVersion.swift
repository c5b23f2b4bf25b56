/// A milter protocol version. The versions in use are 2, 3, 4 and 6; there is no 5.
public struct MilterVersion: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The number on the wire.
    public var rawValue: UInt32
    /// Creates a version from its wire number, whatever it is.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Version 2: the base events.
    public static let v2 = MilterVersion(rawValue: 2)
    /// Version 3: adds UNKNOWN.
    public static let v3 = MilterVersion(rawValue: 3)
    /// Version 4: adds DATA.
    public static let v4 = MilterVersion(rawValue: 4)
    /// Version 6: adds QUIT_NC, SKIP, CHGFROM, ADDRCPT_PAR, symbol lists, NR flags, RCPT_REJ, HDR_LEADSPC.
    public static let v6 = MilterVersion(rawValue: 6)
    /// The versions this package speaks.
    public static let supported: [MilterVersion] = [.v2, .v3, .v4, .v6]

    /// Whether this is one of ``supported``.
    public var isSupported: Bool { Self.supported.contains(self) }

    /// Postfix's protocol mask for an MTA of this version: v2 0x7F, v3 0x17F, v4 0x37F, v6 0x1FFFFF.
    /// Versions in between take the mask of the next lower version, as Postfix does.
    public var postfixProtocolMask: MilterProtocolFlags {
        // SMFI_V2_PROT, 0x7F: the seven NO bits. NR_HDR (0x80) is not part of it.
        let v2: MilterProtocolFlags = [
            .noConnect, .noHelo, .noMail, .noRecipient, .noBody, .noHeaders, .noEndOfHeaders,
        ]
        if self >= .v6 { return .all }
        if self >= .v4 { return v2.union([.noUnknown, .noData]) }
        if self >= .v3 { return v2.union(.noUnknown) }
        return v2
    }

    /// Whether the UNKNOWN command exists in this version.
    public var hasUnknown: Bool { self >= .v3 }
    /// Whether the DATA command exists in this version.
    public var hasData: Bool { self >= .v4 }
    /// Whether QUIT_NC, SKIP, symbol lists and the NR flags exist in this version.
    public var hasVersion6Features: Bool { self >= .v6 }

    /// Orders versions by number.
    public static func < (lhs: MilterVersion, rhs: MilterVersion) -> Bool { lhs.rawValue < rhs.rawValue }
    /// The number.
    public var description: String { String(rawValue) }
}
