import NIOCore
import ReferenceMilter

/// How `--help` names the default of an option that the program's ``MilterConfiguration/server`` sets:
/// the value in force when the option is not given.
enum ConfiguredDefaults {
    /// The server defaults of the running binary.
    static var server: ServerConfiguration { CLIContext.configuration.server }

    /// `(default: N)`, with a duration in seconds.
    static func seconds(_ amount: TimeAmount) -> String {
        let value = Double(amount.nanoseconds) / 1e9
        let text = value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
        return "(default: \(text))"
    }

    /// The name `--on-failure` takes for a failure verdict; a verdict it cannot give is named with "the program's".
    static func failureName(_ verdict: Verdict) -> String {
        if let name = ClassificationOptions.failureVerdicts.first(where: { $0.value == verdict })?.key { return name }
        return "\(verdict.name.lowercased()), the program's"
    }
}
