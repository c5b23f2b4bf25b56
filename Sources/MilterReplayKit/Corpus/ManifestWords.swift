import _MilterSystem

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

    /// The keys an expectation word may have.
    static let keyNames = [
        "reply-code", "reply-enhanced", "reply-text", "header-added", "header-present", "header-absent",
    ]

    /// The keys an expectation word may have, for error messages.
    static var keys: String { keyNames.joined(separator: ", ") }

    /// The expectations the words after `FILE VERDICT` give; `location` names the line in errors, which name a bad
    /// word by its number on the line (`word 3`) and its key, and show its text shape-redacted (`'xxxxx@xxxxxxx.xxx'`:
    /// a value may be a header value or an address) unless `showsValues` (`--show-values`).
    static func expectation(
        _ words: [String], at location: ScenarioLocation, showsValues: Bool = false
    ) throws(CorpusError) -> StepExpectation? {
        guard !words.isEmpty else { return nil }
        var expectation = StepExpectation(location: location)
        var reply = ReplyExpectation()
        var result = ResultExpectation()
        for (index, word) in words.enumerated() {
            // FILE and VERDICT are words 1 and 2.
            let place = "\(location.file):\(location.line): word \(index + 3)"
            let quoted = { (text: String) in Self.quoted(text, showsValues: showsValues) }
            guard let split = word.firstIndex(where: { $0 == "=" || $0 == "~" }) else {
                throw CorpusError(description: "\(place) \(quoted(word)) is not KEY=VALUE; keys: \(keys)")
            }
            let key = String(word[..<split])
            let isPattern = word[split] == "~"
            let value = String(word[word.index(after: split)...])
            // A key that is none of these is the user's text: said, redacted, as an unknown expectation below.
            guard !isPattern || key == "reply-text" || !keyNames.contains(key) else {
                throw CorpusError(description: "\(place): only reply-text takes '~REGEX', not \(key)")
            }
            switch key {
            case "reply-code":
                guard let code = Int(value), (200...599).contains(code) else {
                    throw CorpusError(
                        description: "\(place): reply-code \(quoted(value)) is not a code from 200 to 599")
                }
                reply.code = code
            case "reply-enhanced": reply.enhancedCode = value
            case "reply-text":
                if isPattern, (try? Regex(value)) == nil {
                    throw CorpusError(
                        description: "\(place): reply-text~\(quoted(value)) is not a valid regular expression")
                }
                reply.text = isPattern ? .matches(value) : .exact(value)
            case "header-added":
                let (name, match) = header(value)
                expectation.modifications.append(.addHeader(name: name, value: match))
            case "header-present":
                let (name, match) = header(value)
                result.headersPresent.append(ResultExpectation.Header(name: name, value: match))
            case "header-absent": result.headersAbsent.append(value)
            default: throw CorpusError(description: "\(place): unknown expectation \(quoted(key)); keys: \(keys)")
            }
        }
        if reply != ReplyExpectation() { expectation.reply = reply }
        if result != ResultExpectation() { expectation.result = result }
        return expectation
    }

    /// `'text'`, shape-redacted unless `showsValues`, then with its control characters escaped.
    private static func quoted(_ text: String, showsValues: Bool) -> String {
        ValueDisplay(showsValues: showsValues).quoted(showsValues ? TerminalText.escapingControls(text) : text)
    }

    /// `NAME` or `NAME:VALUE`.
    private static func header(_ text: String) -> (String, TextMatch?) {
        guard let colon = text.firstIndex(of: ":") else { return (text, nil) }
        return (String(text[..<colon]), .exact(String(text[text.index(after: colon)...])))
    }
}
