import MilterDNS
import MilterProtocol

/// A classifier driven by rules: patterns on subject, headers, sender and recipients lead to
/// verdicts and modifications.
///
/// Rules run in order. Each matching rule adds its modifications; the first matching rule with a
/// verdict ends the evaluation. When no rule decides, the message is accepted. Modifications are
/// applied only to delivered messages (accept or quarantine).
public struct RulesClassifier: MailClassifier {
    /// The rules, in order.
    public let rules: [Rule]
    private let matchers: [[ConditionMatcher]]

    /// Creates a classifier; throws if a regular expression does not compile, or if the rules use
    /// `dnsbl` and no `resolver` is given and /etc/resolv.conf names no server.
    public init(rules: [Rule], resolver: (any DNSQuerying)? = nil) throws {
        self.rules = rules
        let checkers = try DNSBLCheckers(rules: rules, resolver: resolver)
        matchers = try rules.map { rule in try rule.conditions.map { try ConditionMatcher($0, checkers: checkers) } }
    }

    /// Parses a rules file's text (see ``RuleParser``); `resolver` answers `dnsbl` conditions.
    public init(text: String, resolver: (any DNSQuerying)? = nil) throws {
        try self.init(rules: RuleParser.parse(text), resolver: resolver)
    }

    /// Asks for exactly the actions the rules use.
    public var needs: ClassifierNeeds {
        var actions: MilterActions = []
        for rule in rules {
            for modification in rule.modifications { actions.formUnion(modification.requiredAction) }
            if case .quarantine? = rule.verdict { actions.insert(.quarantine) }
        }
        return ClassifierNeeds(actions: actions)
    }

    /// Runs the rules.
    public func classify(_ mail: MailInfo) async -> Decision {
        var modifications: [Modification] = []
        for (rule, tests) in zip(rules, matchers) {
            guard await Self.allHold(tests, for: mail) else { continue }
            modifications += rule.modifications
            if let verdict = rule.verdict {
                return Decision(verdict, reason: rule.reason, modifications: modifications)
            }
        }
        return Decision(.accept, reason: "no rule decided", modifications: modifications)
    }

    /// Conditions are checked in order and stop at the first that fails, so a DNSBL condition
    /// after a cheap one is only asked when the cheap one holds.
    private static func allHold(_ tests: [ConditionMatcher], for mail: MailInfo) async -> Bool {
        for test in tests where await !test.holds(for: mail) { return false }
        return true
    }

    /// The built-in rules, used by the fixtures and by milter-replay's embedded mode. They mirror
    /// interop/cmilter's "subject" mode, and tag every accepted message with a header.
    public static let defaultRulesText = """
        # reference-milter default rules: first verdict wins; modifications of every matching rule apply.
        subject contains "[reject]"     => reject "550 5.7.1 rejected by subject rule"
        subject contains "[tempfail]"   => tempfail "451 4.7.1 tempfail by subject rule"
        subject contains "[discard]"    => discard
        subject contains "[quarantine]" => quarantine "subject rule"
        always                          => add-header "X-Reference-Milter" "checked", accept
        """

    /// The classifier built from ``defaultRulesText``.
    public static var `default`: RulesClassifier {
        // The built-in text is fixed and parsed by the tests; a failure here is a programming error.
        try! RulesClassifier(text: defaultRulesText)
    }
}

/// A compiled condition.
struct ConditionMatcher: Sendable {
    let condition: Rule.Condition
    private let regex: CompiledRegex?
    private let checker: DNSBLChecker?

    init(_ condition: Rule.Condition, checkers: DNSBLCheckers) throws {
        self.condition = condition
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
        return values.contains(where: test) != condition.negated
    }

    private func test(_ value: String) -> Bool {
        let lowered = value.lowercased()
        switch condition.match {
        case .contains(let text): return lowered.contains(text.lowercased())
        case .equals(let text): return lowered == text.lowercased()
        case .startsWith(let text): return lowered.hasPrefix(text.lowercased())
        case .endsWith(let text): return lowered.hasSuffix(text.lowercased())
        case .matches: return regex?.matches(value) ?? false
        case .any: return true
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
