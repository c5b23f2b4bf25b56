/// A refusal as Sendmail's `usrerr` sends it (`err.c`, `fmtmsg`); `srvrsmtp.c` sends every milter refusal through
/// it (`MILTER_REPLY` at MAIL and RCPT, the DATA and end-of-data cases, the `nullserver` text after CONNECT or HELO).
enum SendmailUserError {
    /// The reply codes after which `fmtmsg` writes the address being parsed (`CurEnv->e_to`) and `... `.
    private static let codesWithAddress: Set<Substring> = ["050", "250", "252", "450", "550", "553"]
    /// `MAXSHORTSTR` (`conf.h`): a longer address is shortened by `shortenstring`.
    private static let maxShortString = 203

    /// `text` with an enhanced status code after the reply code, `5.0.0` for a 5xx and `4.0.0` for a 4xx, when the
    /// first line has none there (`isenhsc`), then, for a 450, 550 or 553, `address` (the argument of MAIL or RCPT
    /// as the client gave it, angle brackets included; `nil` elsewhere, where Sendmail has none) and `... `. Only
    /// the first line changes. A text that does not start with a reply code is left alone.
    static func format(_ text: String, address: String? = nil) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count >= 4, bytes[0] == UInt8(ascii: "4") || bytes[0] == UInt8(ascii: "5"),
            bytes[1...2].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return text }
        var out = Array(bytes[..<4])
        var rest = bytes[4...]
        if let length = enhancedCodeLength(rest) {
            out += rest.prefix(length)
            rest = rest.dropFirst(length)
        } else {
            out += Array((bytes[0] == UInt8(ascii: "5") ? "5.0.0 " : "4.0.0 ").utf8)
        }
        if let address, !address.isEmpty, codesWithAddress.contains(text.prefix(3)) {
            out += shortened(Array(address.utf8)) + Array("... ".utf8)
        }
        return String(decoding: out + rest, as: UTF8.self)
    }

    /// The length of the enhanced status code and the space after it at the start of `bytes`, as `isenhsc` reads
    /// one: 2, 4 or 5, a dot, one to three digits, a dot, one to three digits; `nil` if there is none.
    private static func enhancedCodeLength(_ bytes: ArraySlice<UInt8>) -> Int? {
        var rest = bytes[...]
        guard let first = rest.popFirst(), [UInt8(ascii: "2"), UInt8(ascii: "4"), UInt8(ascii: "5")].contains(first),
            rest.popFirst() == UInt8(ascii: ".")
        else { return nil }
        for delimiter in [UInt8(ascii: "."), UInt8(ascii: " ")] {
            let digits = rest.prefix(3).prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            rest = rest.dropFirst(digits.count)
            guard !digits.isEmpty, rest.popFirst() == delimiter else { return nil }
        }
        return bytes.count - rest.count
    }

    /// `shortenstring(address, MAXSHORTSTR)` (`libsmutil/snprintf.c`): an address of 203 bytes or more becomes
    /// its first 100 bytes, `...` and its last 100.
    private static func shortened(_ address: [UInt8]) -> [UInt8] {
        guard address.count >= maxShortString else { return address }
        let half = (maxShortString - 3) / 2
        return address.prefix(half) + Array("...".utf8) + address.suffix(half)
    }
}
