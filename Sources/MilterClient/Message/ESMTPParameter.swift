/// The syntax of one ESMTP parameter of MAIL or RCPT (RFC 5321 `esmtp-param`): `keyword` or `keyword=value`.
enum ESMTPParameter {
    /// Whether `bytes` is one parameter: a keyword of ASCII letters, digits and `-` that starts with a letter or
    /// a digit, then optionally `=` and a value of one or more printable ASCII characters other than `=` (or
    /// UTF-8 bytes, RFC 6531). `AUTH=<>` is one; a display name's `<a@example.org>` or `Smith,` is not.
    static func isParameter(_ bytes: some Collection<UInt8>) -> Bool {
        let keyword = bytes.prefix { $0 != UInt8(ascii: "=") }
        guard let first = keyword.first, isAlphaDigit(first),
            keyword.allSatisfy({ isAlphaDigit($0) || $0 == UInt8(ascii: "-") })
        else { return false }
        guard keyword.count < bytes.count else { return true }
        let value = bytes.dropFirst(keyword.count + 1)
        return !value.isEmpty && value.allSatisfy { (33...126).contains($0) && $0 != UInt8(ascii: "=") || $0 >= 128 }
    }

    private static func isAlphaDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
