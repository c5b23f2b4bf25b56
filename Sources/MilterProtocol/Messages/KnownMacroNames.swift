/// The macro names Postfix and Sendmail send by default, and the other common ones, each made once: a MACRO
/// packet's names are taken from here instead of being copied out of every packet (a new array per name: about
/// a dozen per connection and per message of a Postfix session). Each also has its form without braces, made once
/// (``stripped(_:)``), for the milters that look macros up by that form.
package enum KnownMacroNames {
    /// A name's bytes, zero-padded to 24: two names of the same length are equal when these are, three
    /// comparisons of words instead of one of bytes per name of that length.
    private typealias Words = (UInt64, UInt64, UInt64)

    /// The names, by their length in bytes, each with its words and its form without braces.
    private static let byLength: [[(words: Words, name: MilterString, stripped: String)]] = {
        let names = [
            "i", "j", "_", "v", "{daemon_name}", "{daemon_addr}", "{daemon_port}", "{daemon_flags}", "{if_name}",
            "{if_addr}", "{client_addr}", "{client_port}", "{client_name}", "{client_ptr}", "{client_resolve}",
            "{client_connections}", "{client_rate}", "{tls_version}", "{cipher}", "{cipher_bits}", "{cert_subject}",
            "{cert_issuer}", "{auth_type}", "{auth_authen}", "{auth_author}", "{auth_ssf}", "{mail_addr}",
            "{mail_host}", "{mail_mailer}", "{rcpt_addr}", "{rcpt_host}", "{rcpt_mailer}", "{msg_id}", "{ntries}",
            "{nrcpts}", "{nbadrcpts}", "{verify}", "{server_name}", "{server_addr}", "{cert_md5}", "{cn_issuer}",
            "{cn_subject}", "{cert_fp}",
        ]
        let longest = names.map(\.utf8.count).max() ?? 0
        precondition(longest <= MemoryLayout<Words>.size, "a known macro name is longer than its words")
        var table = [[(words: Words, name: MilterString, stripped: String)]](repeating: [], count: longest + 1)
        for name in names {
            let string = MilterString(name)
            let stripped = name.hasPrefix("{") && name.hasSuffix("}") ? String(name.dropFirst().dropLast()) : name
            table[name.utf8.count].append((string.bytes.withUnsafeBytes { words(of: $0) }, string, stripped))
        }
        return table
    }()

    /// The shared string for `bytes` if it is one of the names, else nil.
    static func name(_ bytes: UnsafeRawBufferPointer) -> MilterString? {
        guard bytes.count < byLength.count else { return nil }
        let words = words(of: bytes)
        for candidate in byLength[bytes.count] where candidate.words == words { return candidate.name }
        return nil
    }

    /// The name without its braces (`mail_addr` for `{mail_addr}`, `i` for `i`) if it is one of the names, else
    /// nil: made once, where stripping the braces of a name made a string each time (Postfix's MAIL and RCPT packets,
    /// converted for every message, hold eight names).
    package static func stripped(_ name: MilterString) -> String? {
        let count = name.bytes.count
        guard count > 0, count < byLength.count else { return nil }
        let sent = name.bytes.withUnsafeBytes { Self.words(of: $0) }
        for candidate in byLength[count] where candidate.words == sent { return candidate.stripped }
        return nil
    }

    /// The words of a name no longer than 24 bytes.
    private static func words(of bytes: UnsafeRawBufferPointer) -> Words {
        var words: Words = (0, 0, 0)
        withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: bytes) }
        return words
    }
}
