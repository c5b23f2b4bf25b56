// The reference milter: the ReferenceMilter library's CLI with the rules classifier.
// `reference-milter daemon [ADDRESS] [--config RULES]`, `test FILE.eml`, `dump FILE.eml`, `check-config RULES`.
import ReferenceMilterCLI

let configuration = MilterConfiguration(
    name: "reference-milter",
    classifier: RulesClassifier.default,
    loadClassifier: { path in try RulesClassifier(text: ConfigurationFile.text(atPath: path)) },
    builtInConfiguration: RulesClassifier.defaultRulesText)
await MilterCommandLine.main(configuration)
