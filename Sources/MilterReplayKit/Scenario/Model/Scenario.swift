import MilterClient

/// One scenario: a case's metadata, the MTA played, and one or more milter connections with
/// their steps and expectations. A scenario file holds one or more (YAML documents split by `---`).
///
/// The format is documented, with examples, in `docs/scenarios.md`.
package struct Scenario: Sendable {
    /// The case's identity and how much it matters.
    package var metadata: ScenarioMetadata
    /// The MTA played: its offer, macros, reply texts and habits.
    package var profile: MTAProfile
    /// The milter connections, run one after the other.
    package var sessions: [ScenarioSession]
    /// Where the scenario's document starts.
    package var location: ScenarioLocation
    /// `FILE`, or `FILE#N` for the Nth document of a file with several.
    package var documentName: String
    /// Seconds to wait for each reply (`timeout:`), replacing the MTA profile's and `--timeout`.
    package var timeout: Double?

    package init(
        metadata: ScenarioMetadata, profile: MTAProfile = .postfix, sessions: [ScenarioSession],
        location: ScenarioLocation, documentName: String? = nil
    ) {
        self.metadata = metadata
        self.profile = profile
        self.sessions = sessions
        self.location = location
        self.documentName = documentName ?? location.file
    }

    /// The name a report shows: the ID, else ``documentName``.
    package var name: String { metadata.id ?? documentName }
}

/// What a catalogue case says about itself; every field is optional in a user's scenario.
package struct ScenarioMetadata: Hashable, Sendable {
    /// A stable ID, such as `abort.no-reply`; the part before the first dot is its area.
    package var id: String?
    /// One line saying what is checked.
    package var description: String?
    /// Where the rule comes from: libmilter's behaviour, Postfix's milter8.c, Sendmail, an RFC.
    package var source: String?
    /// Whether a failure fails the run (`must`) or is only reported (`should`).
    package var severity: ScenarioSeverity
    /// What the negotiation must have given for the case to run; otherwise it is skipped.
    package var skipUnless: SkipConditions
    /// The commands the case is about (`exercises:`), in the order written; `nil` (nothing declared, or `all`):
    /// every command it sends. A command of a step with an `expect` counts as one of them whatever this says.
    package var exercises: [ExercisedCommand]?

    package init(
        id: String? = nil, description: String? = nil, source: String? = nil, severity: ScenarioSeverity = .must,
        skipUnless: SkipConditions = SkipConditions(), exercises: [ExercisedCommand]? = nil
    ) {
        self.id = id
        self.description = description
        self.source = source
        self.severity = severity
        self.skipUnless = skipUnless
        self.exercises = exercises
    }

    /// The part of the ID before its first dot (`abort` for `abort.no-reply`), or `nil`.
    package var area: String? {
        guard let id, let dot = id.firstIndex(of: ".") else { return id }
        return String(id[..<dot])
    }
}

/// How much a case matters.
package enum ScenarioSeverity: String, Hashable, Sendable, CaseIterable {
    /// A failure fails the run.
    case must
    /// A failure is reported but does not fail the run.
    case should
}
