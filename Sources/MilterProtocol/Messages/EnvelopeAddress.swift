import NIOCore

/// The payload of MAIL (`M`) and RCPT (`R`): an address and its ESMTP arguments.
///
/// Wire form: a `str[]` whose first string is the address as given in SMTP, with its angle
/// brackets (`<alice@example.org>`), and each further string one ESMTP argument
/// (`SIZE=1234`, `BODY=8BITMIME`).
public struct EnvelopeAddress: Hashable, Sendable {
    /// The address with its angle brackets, as the SMTP client gave it.
    public var address: MilterString
    /// The ESMTP arguments, one string each.
    public var arguments: [MilterString]

    /// Creates a MAIL or RCPT payload.
    public init(address: MilterString, arguments: [MilterString] = []) {
        self.address = address
        self.arguments = arguments
    }
}

extension ByteBuffer {
    @usableFromInline
    mutating func readEnvelopeAddress() throws(MilterProtocolError) -> EnvelopeAddress {
        guard readableBytes > 0 else {
            throw MilterProtocolError(.malformedPayload, detail: "MAIL/RCPT needs an address")
        }
        let address = try readMilterString()
        return EnvelopeAddress(address: address, arguments: try readMilterStrings())
    }

    @usableFromInline
    mutating func writeEnvelopeAddress(_ envelope: EnvelopeAddress) throws(MilterProtocolError) {
        try writeMilterString(envelope.address)
        for argument in envelope.arguments { try writeMilterString(argument) }
    }
}

/// The payload of ADDRCPT_PAR (`2`) and CHGFROM (`e`): an address and optional arguments.
///
/// Unlike MAIL and RCPT, the ESMTP arguments travel as **one** space-separated string
/// (pitfall 14): `<bob@example.org>\0NOTIFY=NEVER ORCPT=rfc822;bob@example.org\0`.
public struct EnvelopeChange: Hashable, Sendable {
    /// The new address.
    public var address: MilterString
    /// The ESMTP arguments as one space-separated string, or `nil` when absent.
    public var arguments: MilterString?

    /// Creates an ADDRCPT_PAR or CHGFROM payload.
    public init(address: MilterString, arguments: MilterString? = nil) {
        self.address = address
        self.arguments = arguments
    }
}

extension ByteBuffer {
    @usableFromInline
    mutating func readEnvelopeChange() throws(MilterProtocolError) -> EnvelopeChange {
        let address = try readMilterString()
        let arguments = readableBytes > 0 ? try readMilterString() : nil
        try expectEmpty("ADDRCPT_PAR/CHGFROM after the arguments")
        return EnvelopeChange(address: address, arguments: arguments)
    }

    @usableFromInline
    mutating func writeEnvelopeChange(_ change: EnvelopeChange) throws(MilterProtocolError) {
        try writeMilterString(change.address)
        if let arguments = change.arguments { try writeMilterString(arguments) }
    }
}
