/// The words of a manifest line: `FILE VERDICT [reply-code=550 reply-text~"^Spam" header-added=X-Spam:yes ...]`,
/// split on blanks outside double quotes, `#` outside quotes starting a comment.
enum ManifestWords {
    /// The words of `line`, quotes removed; `nil` for an unterminated quote.
    static func split(_ line: Substring) -> [String]? {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quoted = false
        for character in line {
            if quoted {
                if character == "\"" { quoted = false } else { word.append(character) }
                continue
            }
            switch character {
            case "\"":
                quoted = true
                inWord = true
            case "#": return finish(&words, word, inWord)
            case " ", "\t", "\r":
                if inWord { words.append(word) }
                word = ""
                inWord = false
            default:
                word.append(character)
                inWord = true
            }
        }
        return quoted ? nil : finish(&words, word, inWord)
    }

    private static func finish(_ words: inout [String], _ word: String, _ inWord: Bool) -> [String] {
        if inWord { words.append(word) }
        return words
    }

    /// The keys an expectation word may have, for error messages.
    static let keys = "reply-code, reply-enhanced, reply-text, header-added, header-present, header-absent"

    /// The expectations the words after `FILE VERDICT` give; `where` names the line in errors.
    static func expectation(_ words: [String], at location: ScenarioLocation) throws(CorpusError) -> StepExpectation? {
        guard !words.isEmpty else { return nil }
        let place = "\(location.file):\(location.line)"
        var expectation = StepExpectation(location: location)
        var reply = ReplyExpectation()
        var result = ResultExpectation()
        for word in words {
            guard let split = word.firstIndex(where: { $0 == "=" || $0 == "~" }) else {
                throw CorpusError(description: "\(place): '\(word)' is not KEY=VALUE; keys: \(keys)")
            }
            let key = String(word[..<split])
            let isPattern = word[split] == "~"
            let value = String(word[word.index(after: split)...])
            guard !isPattern || key == "reply-text" else {
                throw CorpusError(description: "\(place): only reply-text takes '~REGEX', not \(key)")
            }
            switch key {
            case "reply-code":
                guard let code = Int(value), (200...599).contains(code) else {
                    throw CorpusError(description: "\(place): reply-code '\(value)' is not a code from 200 to 599")
                }
                reply.code = code
            case "reply-enhanced": reply.enhancedCode = value
            case "reply-text":
                if isPattern, (try? Regex(value)) == nil {
                    throw CorpusError(
                        description: "\(place): reply-text~'\(value)' is not a valid regular expression")
                }
                reply.text = isPattern ? .matches(value) : .exact(value)
            case "header-added":
                let (name, match) = header(value)
                expectation.modifications.append(.addHeader(name: name, value: match))
            case "header-present":
                let (name, match) = header(value)
                result.headersPresent.append(ResultExpectation.Header(name: name, value: match))
            case "header-absent": result.headersAbsent.append(value)
            default: throw CorpusError(description: "\(place): unknown expectation '\(key)'; keys: \(keys)")
            }
        }
        if reply != ReplyExpectation() { expectation.reply = reply }
        if result != ResultExpectation() { expectation.result = result }
        return expectation
    }

    /// `NAME` or `NAME:VALUE`.
    private static func header(_ text: String) -> (String, TextMatch?) {
        guard let colon = text.firstIndex(of: ":") else { return (text, nil) }
        return (String(text[..<colon]), .exact(String(text[text.index(after: colon)...])))
    }
}
