// Feeds arbitrary text to the rules-file parser (RuleParser, RuleTokenizer): a rules file is
// written by people, so any bytes must give rules or a RuleParseError with a line and column,
// never a trap or a hang.
import FuzzDriver
import ReferenceMilter

func exercise(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    do {
        let rules = try RuleParser.parse(text)
        _ = rules.map { String(describing: $0) }
    } catch {
        precondition(error.line >= 1, "a parse error without a line")
        _ = error.description
    }
}

runFuzzer(exercise)
