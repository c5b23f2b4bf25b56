import MilterDNS
import _MilterSystem

/// A compiled condition.
///
/// A class: the classifier reads its matchers out of an array for every message, and a copy of a struct this
/// size (the condition, its texts, the regular expression and the checker) and its destroy cost more than a
/// retain and a release.
final class ConditionMatcher: Sendable {
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
        // Read in place: copies of the two strings made them mutable for `withUTF8`, a retain and release each.
        let found = value.utf8.withContiguousStorageIfAvailable { haystack in
            pattern.utf8.withContiguousStorageIfAvailable { needle in asciiSearch(needle, in: haystack) } ?? nil
        }
        return (found ?? nil) ?? value.contains(pattern)
    }

    /// Whether `needle` occurs in `haystack`, byte for byte; `nil` (ask `String.contains`) when the needle is
    /// empty or the haystack is not ASCII.
    private static func asciiSearch(
        _ needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>
    )
        -> Bool?
    {
        guard let first = needle.first, let pattern = needle.baseAddress, isASCII(haystack) else { return nil }
        guard needle.count <= haystack.count, let base = haystack.baseAddress else { return false }
        // The first byte found with `memchr` and the rest compared with `memcmp`, where `firstIndex(of:)` and
        // `elementsEqual` went byte by byte (the built-in rules test every message's Subject four times).
        let last = haystack.count - needle.count
        var start = 0
        while start <= last, let found = memchr(base + start, Int32(first), last - start + 1) {
            let offset = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
            if memcmp(base + offset, pattern, needle.count) == 0 { return true }
            start = offset + 1
        }
        return false
    }

    /// Whether every byte is below 0x80, eight bytes at a time: every condition on a field looks at its whole value.
    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let raw = UnsafeRawBufferPointer(bytes)
        var bits: UInt64 = 0
        var index = 0
        while index + 8 <= raw.count {
            bits |= raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < raw.count {
            bits |= UInt64(raw[index])
            index += 1
        }
        return bits & 0x8080_8080_8080_8080 == 0
    }
}
