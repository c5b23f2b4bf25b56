import Yams

/// A scenario file that cannot be used, with the place of the mistake: `FILE:LINE:COLUMN: what`.
package struct ScenarioParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Where the mistake is.
    package var location: ScenarioLocation
    /// What is wrong, in words.
    package var message: String

    package init(_ location: ScenarioLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    /// `FILE:LINE:COLUMN: message`.
    package var description: String { "\(location): \(message)" }

    /// A YAML syntax error from Yams, at its place.
    static func syntax(_ error: any Error, file: String) -> ScenarioParseError {
        guard let yaml = error as? YamlError else {
            return ScenarioParseError(ScenarioLocation(file: file, line: 0, column: 0), "\(error)")
        }
        switch yaml {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return ScenarioParseError(
                ScenarioLocation(file: file, line: mark.line, column: mark.column), "YAML syntax: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let mark = context.mark
            return ScenarioParseError(
                ScenarioLocation(file: file, line: mark.line, column: mark.column),
                "key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) given twice")
        case .reader(let problem, _, _, _):
            return ScenarioParseError(ScenarioLocation(file: file, line: 0, column: 0), "not readable YAML: \(problem)")
        default:
            return ScenarioParseError(ScenarioLocation(file: file, line: 0, column: 0), "YAML: \(yaml)")
        }
    }
}
