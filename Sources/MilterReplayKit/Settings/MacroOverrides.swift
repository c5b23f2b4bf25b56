import MilterClient
import MilterProtocol

/// The `--macro STAGE:NAME=VALUE` options, parsed.
public enum MacroOverrides {
    /// Why a `--macro` option cannot be used.
    public struct Failure: Error, Hashable, Sendable, CustomStringConvertible {
        /// What is wrong, quoting the option.
        public let description: String
    }

    /// The macros each stage gets from `options`, in the order given.
    public static func parse(_ options: [String]) throws(Failure) -> [MacroEvent: [(name: String, value: String)]] {
        var result: [MacroEvent: [(name: String, value: String)]] = [:]
        for text in options {
            guard let colon = text.firstIndex(of: ":"), let equals = text[colon...].firstIndex(of: "="),
                let stage = MacroEvent(rawValue: String(text[..<colon]).lowercased())
            else {
                throw Failure(description: "--macro '\(shown(text))' is not STAGE:NAME=VALUE with a known stage")
            }
            let name = String(text[text.index(after: colon)..<equals])
            guard !name.isEmpty else { throw Failure(description: "--macro '\(shown(text))' has no name") }
            result[stage, default: []].append((name, String(text[text.index(after: equals)...])))
        }
        return result
    }

    /// The option as given, its value (after the first `=`) shape-redacted (``Redaction``), as a macro's value
    /// may be personal data: `bogus:x=xxxxxxxxxxx`.
    static func shown(_ text: String) -> String {
        guard let equals = text.firstIndex(of: "=") else { return text }
        return String(text[...equals]) + Redaction.excerpt(text.utf8[text.utf8.index(after: equals)...])
    }
}
