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
    /// (added when missing), no white space in it outside double quotes; the arguments split at white space, each
    /// an ESMTP parameter (`keyword` or `keyword=value`, ``ESMTPParameter``), so that a display name
    /// (`Alice <alice@example.org>`) is an error, not the address `<Alice>` with an argument.
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
                    throw EnvelopeFieldError(field: field, part: .address)
                } else if byte == UInt8(ascii: ">") {
                    end += 1
                    break
                } else if isSpace(byte) {
                    if bracketed { throw EnvelopeFieldError(field: field, part: .address) }
                    break
                }
            }
            end += 1
        }
        var address = Array(bytes[bytes.startIndex..<end])
        let rest = bytes[end...]
        let closed = !bracketed || address.last == UInt8(ascii: ">")
        guard !quoted, closed, rest.isEmpty || isSpace(rest.first!) else {
            throw EnvelopeFieldError(field: field, part: .address)
        }
        if !bracketed { address = [UInt8(ascii: "<")] + address + [UInt8(ascii: ">")] }
        guard allowingNull || address.count > 2 else { throw EnvelopeFieldError(field: field, part: .emptyAddress) }
        let words = rest.split(whereSeparator: isSpace)
        if let wrong = words.firstIndex(where: { !ESMTPParameter.isParameter($0) }) {
            throw EnvelopeFieldError(field: field, part: .argument(wrong + 1))
        }
        return EnvelopeAddress(
            address: MilterString(bytes: address), arguments: words.map { MilterString(bytes: Array($0)) })
    }
}

/// A recorded envelope field that does not hold one envelope address followed by ESMTP arguments. The description
/// names the field and the part that is wrong, not the value, which may be personal data.
package struct EnvelopeFieldError: Error, CustomStringConvertible {
    /// The part of the value that is wrong.
    package enum Part: Equatable, Sendable {
        /// The address: not bare or in angle brackets, or with white space outside double quotes.
        case address
        /// The address is empty (`<>`), which only `X-Envelope-From` may be.
        case emptyAddress
        /// The argument at this position after the address (from 1) is not `keyword` or `keyword=value`.
        case argument(Int)
    }

    /// `X-Envelope-From` or `X-Envelope-To`.
    package var field: String
    /// The part that is wrong.
    package var part: Part

    package var description: String {
        let wrong =
            switch part {
            case .address:
                "the address is not one (write it bare or in angle brackets, without spaces outside quotes)"
            case .emptyAddress: "the address is empty (<>), which only X-Envelope-From may be"
            case .argument(let position):
                "word \(position) after the address is not an ESMTP argument keyword or keyword=value "
                    + "(a display name, or a space in the address?)"
            }
        return "\(field) must hold one envelope address, then any ESMTP arguments: \(wrong); value not shown"
    }
}
