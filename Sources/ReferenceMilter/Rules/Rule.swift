/// One line of a rules file: conditions that must all hold, and what follows when they do.
public struct Rule: Hashable, Sendable {
    /// What a condition looks at.
    public enum Field: Hashable, Sendable {
        /// The Subject header, decoded.
        case subject
        /// The first header field of a name, decoded.
        case header(String)
        /// The envelope sender, without brackets.
        case sender
        /// Any envelope recipient, without brackets.
        case recipient
        /// The From header's address.
        case from
        /// The HELO name.
        case helo
        /// The client's host name or address.
        case client
        /// The DNSBL zone's answers for the client and the Received chain's foreign hops: each
        /// listing's code (`127.0.0.2`) and, for Spamhaus ZEN, its list name (`sbl`, `css`, `xbl`,
        /// `drop`, `pbl-isp`, `pbl-spamhaus`). PBL codes count for the connecting client only.
        case dnsbl(String)
    }

    /// How a condition compares.
    public enum Match: Hashable, Sendable {
        /// Case-insensitive substring.
        case contains(String)
        /// Case-insensitive equality.
        case equals(String)
        /// Case-insensitive prefix.
        case startsWith(String)
        /// Case-insensitive suffix.
        case endsWith(String)
        /// A regular expression, searched anywhere in the value.
        case matches(String)
        /// The field has any value at all: a bare `dnsbl ZONE` (listed in the zone).
        case any
    }

    /// One test on one field.
    public struct Condition: Hashable, Sendable {
        /// The field.
        public var field: Field
        /// The comparison.
        public var match: Match
        /// Whether the result is negated (`not`).
        public var negated: Bool

        /// Creates a condition.
        public init(field: Field, match: Match, negated: Bool = false) {
            self.field = field
            self.match = match
            self.negated = negated
        }
    }

    /// The conditions, all of which must hold; none means "always".
    public var conditions: [Condition]
    /// The modifications this rule adds.
    public var modifications: [Modification]
    /// The verdict, which ends the evaluation; `nil` lets the next rules run.
    public var verdict: Verdict?
    /// The reason logged when this rule decides; defaults to the rule's line.
    public var reason: String

    /// Creates a rule.
    public init(conditions: [Condition], modifications: [Modification] = [], verdict: Verdict?, reason: String) {
        self.conditions = conditions
        self.modifications = modifications
        self.verdict = verdict
        self.reason = reason
    }
}
