/// Finds IP address literals in free text such as a Received field.
enum ReceivedIPScanner {
    /// Every IPv4 or IPv6 address in `text`, in order, without duplicates. Candidates are the runs
    /// of bytes between delimiters (whitespace, brackets, parentheses, `=`, `,`, `;`, quotes, `<>`)
    /// made only of hex digits, dots and colons, optionally after an `IPv6:` prefix.
    static func addresses(in text: String) -> [IPAddress] {
        var found: [IPAddress] = []
        var seen: Set<IPAddress> = []
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            guard !isDelimiter(bytes[index]) else {
                index += 1
                continue
            }
            var end = index
            while end < bytes.count, !isDelimiter(bytes[end]) { end += 1 }
            if let address = candidate(bytes[index..<end]), seen.insert(address).inserted { found.append(address) }
            index = end
        }
        return found
    }

    /// A from-clause comment without what the client said about itself: `helo=NAME` or `ehlo=NAME`
    /// (Exim) and `HELO NAME` (qmail), which may be any IP literal the client chose.
    static func withoutHELO(_ comment: String) -> String {
        var kept: [Substring] = []
        var skipNext = false
        for word in comment.split(whereSeparator: \.isWhitespace) {
            if skipNext {
                skipNext = false
                continue
            }
            let lowered = word.lowercased()
            if lowered == "helo" || lowered == "ehlo" {
                skipNext = true
            } else if !lowered.hasPrefix("helo="), !lowered.hasPrefix("ehlo=") {
                kept.append(word)
            }
        }
        return kept.joined(separator: " ")
    }

    private static func candidate(_ word: ArraySlice<UInt8>) -> IPAddress? {
        var body = word
        if body.count > 5, ASCII.equalsIgnoringCase(body.prefix(5), "ipv6:") { body = body.dropFirst(5) }
        while body.last == 0x2E { body = body.dropLast() }
        guard body.count >= 2, body.count <= 45,
            body.allSatisfy({ ASCII.hexValue($0) != nil || $0 == 0x2E || $0 == ASCII.colon }),
            body.contains(where: { $0 == 0x2E || $0 == ASCII.colon })
        else { return nil }
        return IPAddress(parsing: String(decoding: body, as: UTF8.self))
    }

    private static func isDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x5B, 0x5D, 0x28, 0x29, 0x3D, 0x2C, 0x3B, 0x22, 0x27, 0x3C, 0x3E: true
        default: ASCII.isWhitespace(byte)
        }
    }
}
