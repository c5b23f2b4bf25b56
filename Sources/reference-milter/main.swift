// The reference milter: the ReferenceMilter library's CLI with the rules classifier.
// `reference-milter daemon [ADDRESS] [--config RULES]`, `test FILE.eml`, `dump FILE.eml`, `check-config RULES`.
// Synchronous (no `await`), so that the main thread stays out of libdispatch's exit cleanup (see
// MilterCommandLine.launch(_:arguments:)).
import ReferenceMilterCLI

let configuration = MilterConfiguration(
    name: "reference-milter",
    classifier: RulesClassifier.default,
    loadClassifier: { path in try RulesClassifier(text: ConfigurationFile.text(atPath: path)) },
    builtInConfiguration: RulesClassifier.defaultRulesText)
MilterCommandLine.launch(configuration)
