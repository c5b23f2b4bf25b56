/// Renders address tokens as text.
enum AddressText {
    /// A display name: words joined as they were spaced, then RFC 2047 decoded.
    static func phrase(_ tokens: [AddressToken]) -> String {
        var bytes: [UInt8] = []
        for token in tokens where token.kind != .comment {
            if token.spaceBefore, !bytes.isEmpty { bytes.append(ASCII.space) }
            bytes += token.bytes
        }
        return EncodedWords.decode(ASCII.trimmed(bytes[...]))
    }

    /// An address: local part and domain without spaces or comments; quoted local parts keep
    /// their quotes only when they need them.
    static func addrSpec(_ tokens: [AddressToken]) -> String {
        var bytes: [UInt8] = []
        for token in tokens {
            switch token.kind {
            case .comment: continue
            case .quoted where needsQuoting(token.bytes): bytes += [ASCII.quote] + escaped(token.bytes) + [ASCII.quote]
            default: bytes += token.bytes
            }
        }
        return Charsets.decodeUnlabelled(bytes[...])
    }

    /// False when the quoted local part is a dot-atom (`"john.doe"` is `john.doe`, RFC 5321 section 4.1.2),
    /// true when it needs its quotes: empty, a special or a space, or a dot at either end or doubled.
    private static func needsQuoting(_ bytes: [UInt8]) -> Bool {
        bytes.isEmpty || bytes.first == 0x2E || bytes.last == 0x2E
            || bytes.contains { $0 <= 0x20 || $0 == 0x7F || specials.contains($0) }
            || zip(bytes, bytes.dropFirst()).contains { $0 == 0x2E && $1 == 0x2E }
    }

    private static let specials = Set(#"()<>[]:;@\,""#.utf8)

    private static func escaped(_ bytes: [UInt8]) -> [UInt8] {
        bytes.flatMap { $0 == ASCII.quote || $0 == ASCII.backslash ? [ASCII.backslash, $0] : [$0] }
    }
}
