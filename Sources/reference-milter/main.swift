// The reference milter: the ReferenceMilter library's CLI with the rules classifier.
// `reference-milter daemon [ADDRESS] [--config RULES]`, `test FILE.eml`, `dump FILE.eml`.
import ReferenceMilterCLI

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

let configuration = MilterConfiguration(
    name: "reference-milter",
    classifier: RulesClassifier.default,
    loadClassifier: { path in
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RuleParseError(line: 0, message: "cannot read \(path)")
        }
        return try RulesClassifier(text: String(decoding: data, as: UTF8.self))
    })
await MilterCommandLine.main(configuration)
