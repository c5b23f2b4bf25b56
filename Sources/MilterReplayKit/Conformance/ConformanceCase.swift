import MilterClient
import MilterProtocol

/// One case of the conformance catalogue: what it checks, where the rule comes from, and the session that checks it.
package struct ConformanceCase: Sendable {
    /// How much a failure counts: a `must` failure fails the run, a `should` failure is reported only.
    package enum Severity: String, Sendable, CaseIterable, Codable {
        case must
        case should
    }

    /// The stable identifier, `area.name` (`abort.no-reply`); users select cases with it (`--only`).
    package let id: String
    /// The one-line description.
    package let summary: String
    /// Where the rule comes from: libmilter's behaviour, Postfix's milter8.c, Sendmail, PROTOCOL.md's pitfalls.
    package let source: String
    package let severity: Severity
    /// Why the case does not apply, given what the milter asks for when offered everything and the MTA played;
    /// nil when it applies.
    package let applies: @Sendable (CaseContext) -> String?
    /// The session, built for the MTA played.
    package let script: @Sendable (CaseContext) -> CaseScript

    /// The area: the identifier up to its first dot (`abort`).
    package var area: String { String(id.prefix { $0 != "." }) }

    package init(
        _ id: String, _ severity: Severity, _ summary: String, source: String,
        applies: @escaping @Sendable (CaseContext) -> String? = { _ in nil },
        script: @escaping @Sendable (CaseContext) -> CaseScript
    ) {
        self.id = id
        self.summary = summary
        self.source = source
        self.severity = severity
        self.applies = applies
        self.script = script
    }
}

/// What a case knows before it runs: the MTA played and what the milter asked for when offered everything.
package struct CaseContext: Sendable {
    /// The MTA played.
    package var profile: MTAProfile
    /// The milter's answer to the MTA's full version 6 offer (the probe connection).
    package var asked: NegotiatedOptions

    package init(profile: MTAProfile, asked: NegotiatedOptions) {
        self.profile = profile
        self.asked = asked
    }

    /// Whether the MTA played is Postfix.
    package var isPostfix: Bool { profile.family == .postfix }
}
