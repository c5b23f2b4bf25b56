/// The check both sides make on the text of a header edit and of a quarantine reason.
extension MilterReply {
    /// A header value may break its line only as a fold: CRLF or LF followed by a space or tab. A
    /// continuation line of white space only is a fold too (RFC 5322's obs-FWS; Postfix passes such
    /// fields to milters), as long as a later line holds something other than white space: the
    /// field's last line may not be blank. Any other CR or LF (a trailing one included) would make
    /// the MTA write a header field of the milter's choosing, or end the header block. A
    /// quarantine reason is one line: it may hold no CR or LF at all. The error names the rule,
    /// never the value. Other replies pass.
    func checkLineBreaks() throws(MilterProtocolError) {
        switch self {
        case .addHeader(let field):
            try Self.checkFolds(field.value, id)
        case .insertHeader(let indexed), .changeHeader(let indexed):
            try Self.checkFolds(indexed.field.value, id)
        case .quarantine(let reason):
            guard reason.bytes.contains(where: { $0 == 0x0D || $0 == 0x0A }) else { return }
            throw MilterProtocolError(
                .lineBreakNotFold, commandByte: id.rawValue, detail: "\(id) reason contains CR or LF")
        default:
            return
        }
    }

    private static func checkFolds(_ value: MilterString, _ id: ID) throws(MilterProtocolError) {
        guard !isFolded(value.bytes) else { return }
        throw MilterProtocolError(
            .lineBreakNotFold, commandByte: id.rawValue,
            detail: "\(id) header value has a CR or LF that is not a fold")
    }

    /// Whether every line break in `bytes` starts a fold (a continuation line starting with white
    /// space) and the last line holds more than white space: the check a header edit's value must
    /// pass, which a milter's configuration can make before it sends one.
    package static func isFolded(_ bytes: [UInt8]) -> Bool {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == 0x0D || byte == 0x0A else {
                index += 1
                continue
            }
            if byte == 0x0D {
                guard index + 1 < bytes.count, bytes[index + 1] == 0x0A else { return false }
                index += 1
            }
            // `index` is at the LF: the next line must start with white space. It may hold nothing
            // else if another fold follows (the loop checks that line break next), not at the end.
            var next = index + 1
            guard next < bytes.count, bytes[next] == 0x20 || bytes[next] == 0x09 else { return false }
            while next < bytes.count, bytes[next] == 0x20 || bytes[next] == 0x09 { next += 1 }
            guard next < bytes.count else { return false }
            index = next
        }
        return true
    }
}
