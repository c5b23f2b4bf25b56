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
    /// The distinct fields the conditions read; each matcher knows its field's index here.
    private let fields: [Rule.Field]
    /// Whether every condition is decided from the message alone, without DNSBL lookups or regular
    /// expressions: then the rules run on the event loop (``decideAtOnce(_:)``).
    private let decidesAtOnce: Bool
    /// What loading found that works but that the operator should hear of, one sentence each: now, when the rules
    /// use `dnsbl` with the system's resolver, an /etc/resolv.conf with more than 3 `nameserver` lines (only the
    /// first 3 are used, as glibc does). The daemon logs them at start-up and on a reload; `check-config` prints them.
    public let warnings: [String]

    /// Creates a classifier; throws if a regular expression does not compile, or if the rules use
    /// `dnsbl` and no `resolver` is given and /etc/resolv.conf names no server. A `resolver` is a
    /// `MilterDNS` type, which this module does not re-export: `import MilterDNS` to pass one.
    public init(rules: [Rule], resolver: (any DNSQuerying)? = nil) throws {
        try self.init(rules: rules, resolver: resolver, resolvConf: "/etc/resolv.conf")
    }

    /// As ``init(rules:resolver:)``, the system's resolver read from `resolvConf`.
    init(rules: [Rule], resolver: (any DNSQuerying)?, resolvConf: String) throws {
        self.rules = rules
        let checkers = try DNSBLCheckers(rules: rules, resolver: resolver, resolvConf: resolvConf)
        warnings = checkers.warnings
        var fields: [Rule.Field] = []
        matchers = try rules.map { rule in
            try rule.conditions.map { condition in
                let index = fields.firstIndex(of: condition.field) ?? fields.endIndex
                if index == fields.endIndex { fields.append(condition.field) }
                return try ConditionMatcher(condition, fieldIndex: index, checkers: checkers)
            }
        }
        self.fields = fields
        decidesAtOnce = matchers.allSatisfy { $0.allSatisfy(\.isImmediate) }
    }

    /// Parses a rules file's text (see ``RuleParser``); `resolver` answers `dnsbl` conditions
    /// (`import MilterDNS` to pass one).
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
        if let decision = decideAtOnce(mail) { return decision }
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

    /// Runs the rules at once when none needs a DNSBL lookup or a regular expression; `nil` otherwise.
    /// Each field is read and lowercased once per message, however many conditions test it.
    public func decideAtOnce(_ mail: MailInfo) -> Decision? {
        guard decidesAtOnce else { return nil }
        var lowered = LoweredFieldValues(count: fields.count)
        // By index, not `zip(rules, matchers)` and `allSatisfy`: the rules and matchers are read in place, not
        // copied one by one.
        var modifications: [Modification] = []
        rules: for index in rules.indices {
            for test in matchers[index].indices {
                let field = matchers[index][test].fieldIndex
                let values =
                    lowered[field]
                    ?? lowered.keep(RuleFields.loweredValues(of: fields[field], in: mail), at: field)
                guard matchers[index][test].holds(lowered: values) else { continue rules }
            }
            modifications += rules[index].modifications
            if let verdict = rules[index].verdict {
                return Decision(verdict, reason: rules[index].reason, modifications: modifications)
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
