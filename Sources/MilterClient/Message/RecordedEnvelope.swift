import MailMessage
import MilterProtocol

/// The envelope `milter-replay --pcap FILE --export-eml DIR` writes at the top of each exported message:
/// `X-Envelope-From` (MAIL's address and ESMTP arguments), one `X-Envelope-To` per recipient the milter did not
/// refuse, and `X-Capture-Incomplete` when frames were missing. `milter-replay` and a milter binary's `test` both
/// send a file with this envelope (see ``EnvelopeFallback/message(_:recordedOr:recipients:)``).
///
/// Only the fields of these names that open the header count: they are the export's, not the message's, and are
/// never sent to the milter. The same names further down belong to the message and are sent as they are.
package struct RecordedEnvelope {
    static let senderField = "X-Envelope-From"
    static let recipientField = "X-Envelope-To"
    static let incompleteField = "X-Capture-Incomplete"

    /// MAIL FROM as recorded, with its ESMTP arguments; `nil` when the export has none.
    package var sender: EnvelopeAddress?
    /// RCPT TO as recorded, in order; empty when the export has none.
    package var recipients: [EnvelopeAddress] = []

    /// Takes the recorded envelope out of `raw`: the leading `X-Envelope-From`, `X-Envelope-To` and
    /// `X-Capture-Incomplete` fields are read and removed. A value that is not one envelope address (with
    /// arguments after it) is an error naming the field, not the value: it may be personal data.
    package init(takingFrom raw: inout RawMessage) throws(EnvelopeFieldError) {
        let names = [Self.senderField, Self.recipientField, Self.incompleteField]
        let count = raw.headerFields.prefix { field in names.contains { field.hasName($0) } }.count
        for field in raw.headerFields.prefix(count) {
            if field.hasName(Self.senderField), sender == nil {
                sender = try Self.address(field.valueBytes, allowingNull: true, field: Self.senderField)
            } else if field.hasName(Self.recipientField) {
                recipients.append(try Self.address(field.valueBytes, allowingNull: false, field: Self.recipientField))
            }
        }
        raw.headerFields.removeFirst(count)
    }

    /// `<a@example.org> SIZE=100 BODY=8BITMIME` as an address and its arguments: the address in angle brackets
    /// (added when missing), no white space in it outside double quotes; the arguments split at white space.
    static func address(
        _ value: [UInt8], allowingNull: Bool, field: String
    ) throws(EnvelopeFieldError) -> EnvelopeAddress {
        let isSpace: (UInt8) -> Bool = { $0 == 32 || $0 == 9 || $0 == 13 || $0 == 10 }
        let bytes = value.drop(while: isSpace)
        var end = bytes.startIndex
        var quoted = false
        var bracketed = false
        while end < bytes.endIndex {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") { quoted.toggle() }
            if !quoted {
                if end == bytes.startIndex, byte == UInt8(ascii: "<") {
                    bracketed = true
                } else if byte == UInt8(ascii: "<") || (byte == UInt8(ascii: ">") && !bracketed) {
                    throw EnvelopeFieldError(field: field)
                } else if byte == UInt8(ascii: ">") {
                    end += 1
                    break
                } else if isSpace(byte) {
                    if bracketed { throw EnvelopeFieldError(field: field) }
                    break
                }
            }
            end += 1
        }
        var address = Array(bytes[bytes.startIndex..<end])
        let rest = bytes[end...]
        let closed = !bracketed || address.last == UInt8(ascii: ">")
        guard !quoted, closed, rest.isEmpty || isSpace(rest.first!) else { throw EnvelopeFieldError(field: field) }
        if !bracketed { address = [UInt8(ascii: "<")] + address + [UInt8(ascii: ">")] }
        guard allowingNull || address.count > 2 else { throw EnvelopeFieldError(field: field) }
        let arguments = rest.split(whereSeparator: isSpace).map { MilterString(bytes: Array($0)) }
        return EnvelopeAddress(address: MilterString(bytes: address), arguments: arguments)
    }
}

/// A recorded envelope field that does not hold one envelope address. The description names the field, not its
/// value, which may be personal data.
package struct EnvelopeFieldError: Error, CustomStringConvertible {
    /// `X-Envelope-From` or `X-Envelope-To`.
    package var field: String

    package var description: String { "\(field) must hold one envelope address, then any ESMTP arguments" }
}
