import MilterDNS

/// A compiled condition.
struct ConditionMatcher: Sendable {
    let condition: Rule.Condition
    /// Where the classifier keeps this condition's field values for the message being decided.
    let fieldIndex: Int
    private let regex: CompiledRegex?
    private let checker: DNSBLChecker?
    /// The text compared with, lowercased once (empty for `matches` and `any`).
    private let loweredText: String
    /// Whether ``loweredText`` is ASCII without CR and LF, so that a byte search finds what a
    /// search by characters finds in an ASCII value.
    private let isASCIIPattern: Bool

    init(_ condition: Rule.Condition, fieldIndex: Int, checkers: DNSBLCheckers) throws {
        self.condition = condition
        self.fieldIndex = fieldIndex
        switch condition.match {
        case .contains(let text), .equals(let text), .startsWith(let text), .endsWith(let text):
            loweredText = text.lowercased()
        case .matches, .any: loweredText = ""
        }
        isASCIIPattern = loweredText.utf8.allSatisfy { $0 < 0x80 && $0 != 0x0D && $0 != 0x0A }
        if case .dnsbl(let zone) = condition.field { checker = checkers[zone] } else { checker = nil }
        if case .matches(let pattern) = condition.match {
            regex = try CompiledRegex(pattern)
        } else {
            regex = nil
        }
    }

    func holds(for mail: MailInfo) async -> Bool {
        var values = RuleFields.values(of: condition.field, in: mail)
        if let checker { values = await RuleFields.dnsblValues(in: mail, checker: checker) }
        return values.contains { test($0) } != condition.negated
    }

    /// Whether the condition is decided from the message alone, quickly: no DNSBL lookup, no regular expression.
    var isImmediate: Bool { checker == nil && regex == nil }

    /// The condition on field values already lowercased; only for an ``isImmediate`` condition.
    func holds(lowered values: [String]) -> Bool {
        values.contains { test(lowered: $0) } != condition.negated
    }

    private func test(_ value: String) -> Bool {
        if case .matches = condition.match { return regex?.matches(value) ?? false }
        return test(lowered: value.lowercased())
    }

    private func test(lowered value: String) -> Bool {
        switch condition.match {
        case .contains: Self.contains(value, loweredText, asciiPattern: isASCIIPattern)
        case .equals: value == loweredText
        case .startsWith: value.hasPrefix(loweredText)
        case .endsWith: value.hasSuffix(loweredText)
        case .matches: false
        case .any: true
        }
    }
}

/// A case-insensitive regular expression that can be shared between threads.
struct CompiledRegex: @unchecked Sendable {
    // Regex is not Sendable; this one is never mutated after creation.
    private let regex: Regex<AnyRegexOutput>

    init(_ pattern: String) throws { regex = try Regex(pattern).ignoresCase() }

    func matches(_ value: String) -> Bool { value.contains(regex) }
}

extension ConditionMatcher {
    /// Whether `value` contains `pattern`, compared by characters as `String.contains` does.
    ///
    /// When both are ASCII and the pattern has no CR or LF (the only ASCII pair that forms one
    /// character), every byte is a character and a byte search gives the same answer, without the
    /// generic searcher's cost; anything else goes to `String.contains`.
    static func contains(_ value: String, _ pattern: String, asciiPattern: Bool) -> Bool {
        guard asciiPattern else { return value.contains(pattern) }
        var value = value
        var pattern = pattern
        let found = value.withUTF8 { haystack in
            pattern.withUTF8 { needle -> Bool? in
                guard !needle.isEmpty, haystack.allSatisfy({ $0 < 0x80 }) else { return nil }
                guard needle.count <= haystack.count else { return false }
                for start in 0...(haystack.count - needle.count)
                where haystack[start] == needle[0] && haystack[start..<start + needle.count].elementsEqual(needle) {
                    return true
                }
                return false
            }
        }
        return found ?? value.contains(pattern)
    }
}
