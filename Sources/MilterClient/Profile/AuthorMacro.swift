import MilterProtocol

/// The value of `{auth_author}`: the `AUTH=` parameter of MAIL FROM (RFC 4954's authorised identity), as each MTA
/// keeps it for the MAIL macros. Neither MTA needs a SASL login for it (Postfix's check is compiled out, Sendmail
/// only asks its `trust_auth` ruleset whether to pass it on), and neither decodes its xtext: a milter gets
/// `alice+2Bx@example.org` as the client wrote it. A MAIL without `AUTH=` has none.
enum AuthorMacro {
    /// The value for the MAIL with `arguments` under `family`, `nil` for none.
    ///
    /// Postfix 3.7 (`smtpd.c` `mail_cmd`, `smtpd_sasl_proto.c` `smtpd_sasl_mail_opt`, `smtpd_milter.c`): the first
    /// `AUTH=` (a second one makes Postfix refuse the MAIL with 503, which MilterClient does not play); `AUTH=<>`
    /// gives none; a byte that is neither printable ASCII nor part of a UTF-8 character becomes `?` (`printable()`,
    /// with `smtputf8_enable = yes`).
    ///
    /// Sendmail 8.17 (`srvrsmtp.c` `mail_esmtp_args`): the first `AUTH=` as written, `<>` too. Sendmail refuses a
    /// MAIL whose value is not xtext (`501 5.5.4`) or that has two (`501 5.5.0`), which MilterClient does not play.
    static func value(of arguments: [MilterString], family: MTAProfile.Family) -> MilterString? {
        guard let parameter = arguments.first(where: isAuthParameter) else { return nil }
        let value = Array(parameter.bytes.dropFirst(prefix.count))
        switch family {
        case .sendmail:
            return MilterString(bytes: value)
        case .postfix:
            guard value != Array("<>".utf8) else { return nil }
            return MilterString(bytes: printable(value))
        }
    }

    /// `AUTH=`, the parameter's keyword and its `=`.
    private static let prefix = Array("AUTH=".utf8)

    /// Whether `argument` is an `AUTH=` parameter, its keyword in any case.
    private static func isAuthParameter(_ argument: MilterString) -> Bool {
        argument.bytes.count >= prefix.count
            && zip(argument.bytes, prefix).allSatisfy { byte, letter in byte & 0xDF == letter || byte == letter }
    }

    /// `bytes` with each byte Postfix counts unprintable replaced by `?`: printable ASCII stays, and so does a
    /// UTF-8 lead byte (0xC2 to 0xFE) followed by a continuation byte, with every continuation byte after it.
    private static func printable(_ bytes: [UInt8]) -> [UInt8] {
        func continues(at position: Int) -> Bool {
            position < bytes.count && (0x80...0xBF).contains(bytes[position])
        }
        var result = bytes
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if (0x20...0x7E).contains(byte) { continue }
            if (0xC2...0xFE).contains(byte), continues(at: index) {
                while continues(at: index) { index += 1 }
                continue
            }
            result[index - 1] = UInt8(ascii: "?")
        }
        return result
    }
}
