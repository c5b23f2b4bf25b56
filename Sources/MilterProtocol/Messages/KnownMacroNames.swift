/// The macro names Postfix and Sendmail send by default, and the other common ones, each made once: a MACRO
/// packet's names are taken from here instead of being copied out of every packet (a new array per name: about
/// a dozen per connection and per message of a Postfix session).
enum KnownMacroNames {
    /// A name's bytes, zero-padded to 24: two names of the same length are equal when these are, three
    /// comparisons of words instead of one of bytes per name of that length.
    private typealias Words = (UInt64, UInt64, UInt64)

    /// The names, by their length in bytes, each with its words.
    private static let byLength: [[(words: Words, name: MilterString)]] = {
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
        var table = [[(words: Words, name: MilterString)]](repeating: [], count: longest + 1)
        for name in names {
            let string = MilterString(name)
            table[name.utf8.count].append((string.bytes.withUnsafeBytes { words(of: $0) }, string))
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

    /// The words of a name no longer than 24 bytes.
    private static func words(of bytes: UnsafeRawBufferPointer) -> Words {
        var words: Words = (0, 0, 0)
        withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: bytes) }
        return words
    }
}
