/// Finds IP address literals in free text such as a Received field.
enum ReceivedIPScanner {
    /// Every IPv4 or IPv6 address in `text`, in order, without duplicates. Candidates are the runs
    /// of characters between delimiters (space, brackets, parentheses, `=`, `,`, `;`, quotes, `<>`);
    /// an `IPv6:` prefix is accepted.
    static func addresses(in text: String) -> [IPAddress] {
        var found: [IPAddress] = []
        for candidate in text.split(whereSeparator: isDelimiter) where candidate.count >= 2 {
            var word = candidate
            while word.hasSuffix(".") { word = word.dropLast() }
            guard word.contains(".") || word.contains(":"), let address = IPAddress(parsing: String(word)) else {
                continue
            }
            if !found.contains(address) { found.append(address) }
        }
        return found
    }

    private static func isDelimiter(_ character: Character) -> Bool {
        character.isWhitespace || "[]()=,;\"'<>".contains(character)
    }
}
