import MilterClient
import MilterProtocol
import Yams

/// Reads scenario files (docs/scenarios.md) into ``Scenario`` values; every error names its place.
package enum ScenarioParser {
    /// Reads every scenario of a file.
    package static func load(_ path: String) throws(ScenarioParseError) -> [Scenario] {
        let bytes: [UInt8]
        do {
            bytes = try CorpusFiles.read(path)
        } catch {
            // The corpus error names the file already; an empty path is named as such.
            let file = path.isEmpty ? "an empty path" : path
            throw ScenarioParseError(ScenarioLocation(file: file, line: 0, column: 0), error.reason(for: path))
        }
        return try parse(String(decoding: bytes, as: UTF8.self), file: path)
    }

    /// Reads every scenario (YAML document) of `text`; `file` names it in errors and anchors relative paths.
    package static func parse(_ text: String, file: String) throws(ScenarioParseError) -> [Scenario] {
        var documents: [Node] = []
        var sequence: YamlSequence<Node>
        do {
            sequence = try Yams.compose_all(yaml: text)
        } catch {
            throw ScenarioParseError.syntax(error, file: file)
        }
        while let document = sequence.next() { documents.append(document) }
        if let error = sequence.error { throw ScenarioParseError.syntax(error, file: file) }
        guard !documents.isEmpty else {
            throw ScenarioParseError(ScenarioLocation(file: file, line: 1, column: 1), "no scenario in the file")
        }
        var scenarios: [Scenario] = []
        for (index, node) in documents.enumerated() {
            let name = documents.count == 1 ? file : "\(file)#\(index + 1)"
            let field = YAMLField(node: node, file: file, context: "the scenario")
            scenarios.append(try scenario(field, name: name))
        }
        return scenarios
    }

    private static let topKeys = [
        "id", "description", "source", "severity", "skip-unless", "exercises", "mta", "timeout", "sessions",
        "negotiate",
        "macros", "steps",
    ]

    private static func scenario(_ field: YAMLField, name: String) throws(ScenarioParseError) -> Scenario {
        let fields = try field.mapping(allowed: topKeys)
        var metadata = ScenarioMetadata()
        metadata.id = try fields["id"]?.string()
        metadata.description = try fields["description"]?.string()
        metadata.source = try fields["source"]?.string()
        if let severity = fields["severity"] { metadata.severity = try severity.word(ScenarioSeverity.self) }
        if let skip = fields["skip-unless"] { metadata.skipUnless = try skipConditions(skip) }
        if let exercises = fields["exercises"] { metadata.exercises = try self.exercises(exercises) }
        var profile = MTAProfile.postfix
        if let mta = fields["mta"] { profile = try mtaProfile(mta) }
        let sessions: [ScenarioSession]
        if let list = fields["sessions"] {
            if let single = ["negotiate", "macros", "steps"].first(where: { fields[$0] != nil }) {
                throw fields[single]!.error("'\(single)' belongs inside each of 'sessions', not beside it")
            }
            var parsed: [ScenarioSession] = []
            for item in try list.list() {
                parsed.append(try session(try item.mapping(allowed: ["negotiate", "macros", "steps"]), at: item))
            }
            guard !parsed.isEmpty else { throw list.error("'sessions' is empty") }
            sessions = parsed
        } else {
            guard fields["steps"] != nil || fields["negotiate"] != nil else {
                throw field.error("the scenario has neither 'steps' nor 'sessions'")
            }
            sessions = [try session(fields, at: field)]
        }
        if profile.family == .sendmail, let step = sessions.lazy.flatMap(\.steps).first(where: \.isXClient) {
            throw ScenarioParseError(
                step.location,
                "'xclient' is Postfix's command: Sendmail has no XCLIENT (the scenario's 'mta' is sendmail)")
        }
        var scenario = Scenario(
            metadata: metadata, profile: profile, sessions: sessions, location: field.location, documentName: name)
        if let timeout = fields["timeout"] {
            scenario.timeout = try timeout.seconds(minimum: 0.001, maximum: 86_400)
        }
        return scenario
    }

    private static func mtaProfile(_ field: YAMLField) throws(ScenarioParseError) -> MTAProfile {
        let name = try field.string()
        guard let profile = MTAProfile.named(name) else {
            throw field.error("'mta': unknown MTA '\(name)'; use one of: postfix, sendmail")
        }
        return profile
    }

    private static func session(
        _ fields: YAMLMapping, at field: YAMLField
    ) throws(ScenarioParseError)
        -> ScenarioSession
    {
        var negotiation = NegotiationSpec(location: field.location)
        if let negotiate = fields["negotiate"] { negotiation = try self.negotiation(negotiate) }
        var macros: [MacroEvent: [(name: String, value: String)]] = [:]
        if let table = fields["macros"] { macros = try self.macros(table) }
        guard fields["steps"] != nil || fields["negotiate"] != nil else {
            throw field.error("a session needs 'steps', or at least 'negotiate'")
        }
        let steps =
            try fields["steps"].map { field throws(ScenarioParseError) in try ScenarioStepParser.steps(field) }
            ?? []
        return ScenarioSession(negotiation: negotiation, macros: macros, steps: steps, location: field.location)
    }

    private static func macros(_ field: YAMLField) throws(ScenarioParseError) -> [MacroEvent: [(String, String)]] {
        var result: [MacroEvent: [(String, String)]] = [:]
        let events = try field.mapping(allowed: MacroEvent.allCases.map(\.rawValue))
        for (key, table) in events.fields {
            let event = MacroEvent(rawValue: key)!
            guard case .mapping(let pairs) = table.node else {
                throw table.error("'macros' '\(key)': expected a mapping of macro names to values")
            }
            for (name, value) in pairs {
                result[event, default: []].append(
                    (try table.child(name, "a macro name").string(), try table.child(value, "a macro value").string()))
            }
        }
        return result
    }

    /// `exercises:`: a list of command words, or `all` (every command the case sends, as without the key).
    private static func exercises(_ field: YAMLField) throws(ScenarioParseError) -> [ExercisedCommand]? {
        let items = try field.list()
        if items.count == 1, try items[0].string().lowercased() == "all" { return nil }
        var commands: [ExercisedCommand] = []
        for item in items {
            let word = try item.string()
            guard let command = ExercisedCommand(rawValue: word.lowercased()) else {
                let words = ExercisedCommand.allCases.map(\.rawValue).joined(separator: ", ")
                throw item.error("'exercises': unknown command '\(word)'; use all, or some of: \(words)")
            }
            if !commands.contains(command) { commands.append(command) }
        }
        guard !commands.isEmpty else { throw field.error("'exercises' is empty: name the commands, or write all") }
        return commands
    }

    private static func skipConditions(_ field: YAMLField) throws(ScenarioParseError) -> SkipConditions {
        let fields = try field.mapping(allowed: ["actions", "protocol", "protocol-absent", "version"])
        var conditions = SkipConditions()
        if let actions = fields["actions"] { conditions.actions = try ScenarioFlags.actions(actions) }
        if let flags = fields["protocol"] { conditions.protocolFlags = try ScenarioFlags.protocolFlags(flags) }
        if let absent = fields["protocol-absent"] {
            conditions.absentProtocolFlags = try ScenarioFlags.protocolFlags(absent)
        }
        if let version = fields["version"] {
            conditions.minimumVersion = MilterVersion(rawValue: UInt32(try version.integer(in: 0...Int(UInt32.max))))
        }
        return conditions
    }
}
