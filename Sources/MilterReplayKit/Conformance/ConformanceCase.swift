import MilterClient
import MilterProtocol

/// One case of the conformance catalogue: what it checks, where the rule comes from, and how it is played.
package struct ConformanceCase: Sendable {
    /// How much a failure counts: a `must` failure fails the run, a `should` failure is reported only.
    package enum Severity: String, Sendable, CaseIterable {
        case must
        case should
    }

    /// How the case is played.
    package enum Kind: Sendable {
        /// A scenario of conformance/*.yaml, run by the scenario runner with the MTA profile of the run.
        case scenario(Scenario)
        /// One of the few cases the scenario format cannot say (see ``BuiltInCases``).
        case builtIn(CaseScript)
    }

    /// The stable identifier, `area.name` (`abort.no-reply`); users select cases with it (`--only`).
    package let id: String
    /// The one-line description.
    package let summary: String
    /// Where the rule comes from: libmilter's behaviour, Postfix's milter8.c, Sendmail, PROTOCOL.md's pitfalls.
    package let source: String
    package let severity: Severity
    package let kind: Kind
    /// Where the case is written: `conformance/abort.yaml`, or `built-in`.
    package let file: String
    /// What the case is about, as the catalogue lists it: the commands of its `exercises:` (`negotiate, header`),
    /// `every command` when it names none, or what a built-in case plays. A case is not exercised only when one
    /// of these did not reach the milter.
    package let exercises: String

    /// The area: the identifier up to its first dot (`abort`).
    package var area: String { String(id.prefix { $0 != "." }) }

    package init(_ scenario: Scenario, file: String) {
        id = scenario.name
        summary = scenario.metadata.description ?? ""
        source = scenario.metadata.source ?? ""
        severity = scenario.metadata.severity == .must ? .must : .should
        kind = .scenario(scenario)
        self.file = file
        exercises = scenario.metadata.exercises.map { $0.map(\.rawValue).joined(separator: ", ") } ?? "every command"
    }

    package init(
        _ id: String, _ severity: Severity, _ summary: String, source: String, exercises: String, script: CaseScript
    ) {
        self.id = id
        self.summary = summary
        self.source = source
        self.severity = severity
        self.exercises = exercises
        kind = .builtIn(script)
        file = "built-in"
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
}
