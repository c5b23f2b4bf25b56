/// What a peer that speaks a text protocol instead of milter looks like from the four bytes read as a frame
/// length: `220 ` (842149920) is an SMTP greeting, `HTTP` an HTTP response.
///
/// Only these fixed shapes are quoted back, so an error built from them carries no personal data.
enum TextPeerShape {
    /// `this looks like an SMTP server, not a milter` and the like, `they are text: …` for other text, or nil.
    static func guess(_ bytes: some Collection<UInt8>) -> String? {
        if let known = known(bytes) { return known }
        return TextLengthField.isText(bytes) ? "they are text: the peer does not speak the milter protocol" : nil
    }

    /// `this looks like an SMTP server, not a milter` and the like, or nil when `bytes` has none of the fixed
    /// shapes (an SMTP or HTTP greeting or verb, an SSH banner).
    static func known(_ bytes: some Collection<UInt8>) -> String? {
        guard bytes.count >= 4 else { return nil }
        let text = String(decoding: bytes.prefix(4), as: UTF8.self)
        let digits = text.prefix(3).allSatisfy(\.isASCII) && text.prefix(3).allSatisfy(\.isNumber)
        if digits, text.hasSuffix(" ") || text.hasSuffix("-") {
            return "the bytes read \"\(text)\": this looks like an SMTP server, not a milter"
        }
        if text == "HTTP" { return "the bytes read \"HTTP\": this looks like an HTTP server, not a milter" }
        if ["GET ", "POST", "HEAD", "PUT ", "PRI "].contains(text) {
            return "the bytes read \"\(text)\": this looks like an HTTP client, not an MTA"
        }
        if ["EHLO", "HELO", "ehlo", "helo"].contains(text) {
            return "the bytes read \"\(text)\": this looks like an SMTP client, not an MTA"
        }
        if text == "SSH-" { return "the bytes read \"SSH-\": this looks like an SSH server, not a milter" }
        return nil
    }

    /// The servers ``known(_:)`` names (`this looks like an SMTP server, not a milter`).
    static let servers = ["an SMTP server", "an HTTP server", "an SSH server"]
}
