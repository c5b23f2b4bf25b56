/// Four bytes of text where a frame's length field belongs: a peer that speaks another protocol (`220 ` from an
/// SMTP server, `HTTP` from a web server).
enum TextLengthField {
    /// Whether the first four bytes are printable ASCII or CR/LF.
    static func isText(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.count >= 4 && bytes.prefix(4).allSatisfy { (0x20...0x7E).contains($0) || $0 == 0x0D || $0 == 0x0A }
    }

    /// For one of ``TextPeerShape``'s fixed shapes, the four bytes as quoted, escaped text (`"220 "`), then up to
    /// 4 more redacted like a payload and marked so; for other text, all 8 redacted and marked so.
    ///
    /// A greeting or verb in place of a length field is no message's address or header value, so it is shown
    /// as it is (masked, `220 ` would read `999 `, bytes the peer never sent). Other text may be one (a peer
    /// that writes an address first), and what follows a greeting (`mx.example.test`, a request's path) is
    /// redacted as any payload is.
    static func excerpt(_ bytes: some Collection<UInt8>) -> String {
        guard TextPeerShape.known(bytes) != nil else { return "\(Redaction.excerpt(bytes.prefix(8))) (redacted)" }
        var quoted = "\""
        for byte in bytes.prefix(4) {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): quoted += "\\" + String(Character(Unicode.Scalar(byte)))
            case 0x0D: quoted += "\\r"
            case 0x0A: quoted += "\\n"
            default: quoted += String(Character(Unicode.Scalar(byte)))
            }
        }
        quoted += "\""
        let rest = bytes.dropFirst(4).prefix(4)
        return rest.isEmpty ? quoted : "\(quoted) then \(Redaction.excerpt(rest)) (redacted)"
    }
}
