import ArgumentParser
import ReferenceMilter
import _MilterSystem

/// `check-config FILE`: loads a configuration file as `daemon --config FILE` would, and says whether it loads;
/// `check-config --print-builtin` prints the built-in configuration, a starting point for a file of one's own.
struct CheckConfigCommand: ParsableCommand {
    /// Listed in help only for a milter that takes a configuration file or has one built in; a milter
    /// with neither still answers it, with a usage error.
    static var configuration: CommandConfiguration {
        let milter = CLIContext.configuration
        return CommandConfiguration(
            commandName: "check-config",
            abstract: "Check a configuration (rules) file, or print the built-in one.",
            discussion: """
                Exit status: 0 the file loads (a file with no rules loads, with a warning on standard error, as do dnsbl \
                rules with more than 3 nameservers in /etc/resolv.conf); 2 it \
                does not (the error names the file, line and column), or a \
                usage error. With --print-builtin, prints the rules used when no --config is given (exit 0).
                """,
            shouldDisplay: milter.takesConfigurationFile || milter.builtInConfiguration != nil)
    }

    @Argument(help: "The file to check, as given to --config.", completion: .file())
    var file: String?

    @Flag(help: "Print the built-in configuration instead.")
    var printBuiltin = false

    func validate() throws {
        if printBuiltin == (file != nil) { throw ValidationError("give a FILE to check, or --print-builtin") }
    }

    func run() throws {
        let milter = CLIContext.configuration
        guard let file else {
            guard let text = milter.builtInConfiguration else {
                throw CLIError.usage("\(milter.name) has no built-in configuration to print")
            }
            print(text.hasSuffix("\n") ? text : text + "\n", terminator: "")
            return
        }
        let classifier = try milter.classifier(configPath: file)
        let rules = (classifier as? RulesClassifier).map {
            " (\($0.rules.count) rule\($0.rules.count == 1 ? "" : "s"))"
        }
        // The name as the errors print it: an escape sequence in it does not reach the terminal.
        let name = TerminalText.escapingControls(file, keepingLineFeeds: false)
        print("\(name): OK\(rules ?? "")")
        for warning in Self.warnings(of: classifier) { MilterCommandLine.printError("\(name): warning: \(warning)") }
    }

    /// What a file that loads is warned of, the exit status still 0: no rules (most likely a wrong or truncated
    /// file, not what was meant), and the rules' own ``RulesClassifier/warnings`` (more than 3 nameservers in
    /// /etc/resolv.conf for rules that use `dnsbl`).
    static func warnings(of classifier: any MailClassifier) -> [String] {
        guard let rules = classifier as? RulesClassifier else { return [] }
        return (rules.rules.isEmpty ? [noRules] : []) + rules.warnings
    }

    /// The warning for a rules file without a rule, here and in the daemon (at start-up and on a reload).
    static let noRules = "the file has no rules: every message is accepted (no rule decided)"
}
