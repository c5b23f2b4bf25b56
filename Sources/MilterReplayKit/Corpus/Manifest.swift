import MilterClient
import _MilterSystem

/// Expected verdicts from a file of `FILE VERDICT [EXPECTATION...]` lines; `#` starts a comment. The
/// expectations (`reply-code=550`, `header-added=X-Spam:yes`, see ``ManifestWords``) check more than the verdict.
///
/// A FILE matches a message whose path is the same, or the same relative to the manifest's
/// directory, or, failing both, whose file name is the same. A line that matches no message of the run
/// is an error (see ``unmatchedLines(among:)``): a typo must not pass silently.
package struct Manifest {
    /// One `FILE VERDICT` line.
    private struct Line {
        let number: Int
        let file: String
        let resolved: String
    }

    private let path: String
    private var lines: [Line] = []
    private var byPath: [String: Expected] = [:]
    private var byName: [String: Expected] = [:]

    /// What one line expects.
    private struct Expected {
        let verdict: Disposition
        let more: StepExpectation?
    }

    /// The verdict words a manifest line may use, for error messages.
    static var verdictWords: String {
        let names = Disposition.allCases.map(\.rawValue)
        return names.dropLast().joined(separator: ", ") + " or " + names.last!
    }

    /// Reads and parses a manifest. Its errors show the text of a bad expectation word shape-redacted (a value may
    /// be a header value or an address) unless `showsValues` (`--show-values`).
    package init(path: String, showsValues: Bool = false) throws(CorpusError) {
        self.path = path
        let text = String(decoding: try CorpusFiles.read(path), as: UTF8.self)
        let directory = path.deletingLastPathComponent
        // CRLF is one Character in Swift: split at it too, or a file written on Windows was one line (a first
        // line that is a comment hid every other line, and the verdict of a one-line file read 'accept\r\n').
        let fileLines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        for (number, line) in fileLines.enumerated() {
            guard let words = ManifestWords.split(line) else {
                throw CorpusError(description: "\(path):\(number + 1): a quote is not closed")
            }
            if words.isEmpty { continue }
            guard words.count >= 2 else {
                throw CorpusError(description: "\(path):\(number + 1): expected 'FILE VERDICT [EXPECTATION...]'")
            }
            guard let verdict = Disposition(rawValue: words[1].lowercased()) else {
                throw CorpusError(
                    description:
                        "\(path):\(number + 1): unknown verdict '\(TerminalText.escapingControls(words[1]))'; "
                        + "use \(Self.verdictWords)")
            }
            let location = ScenarioLocation(file: path, line: number + 1, column: 1)
            let expected = Expected(
                verdict: verdict,
                more: try ManifestWords.expectation(Array(words.dropFirst(2)), at: location, showsValues: showsValues))
            let file = words[0]
            let resolved = directory.appendingPathComponent(file).lexicallyNormalizedPath
            lines.append(Line(number: number + 1, file: file, resolved: resolved))
            byPath[file] = expected
            byPath[resolved] = expected
            byName[file.lastPathComponent] = expected
        }
    }

    /// The expected verdict for a message file.
    package func expectation(for path: String) -> Disposition? { line(for: path)?.verdict }

    /// What the line of a message file expects beyond the verdict, if anything.
    package func moreExpectations(for path: String) -> StepExpectation? { line(for: path)?.more }

    private func line(for path: String) -> Expected? {
        byPath[path] ?? byPath[path.lexicallyNormalizedPath]
            ?? byName[path.lastPathComponent]
    }

    /// `FILE:LINE: NAME` for each line that names none of `paths`.
    package func unmatchedLines(among paths: [String]) -> [String] {
        let exact = Set(paths + paths.map(\.lexicallyNormalizedPath))
        let names = Set(paths.map(\.lastPathComponent))
        return lines.filter { line in
            !exact.contains(line.file) && !exact.contains(line.resolved)
                && !names.contains(line.file.lastPathComponent)
        }.map { "\(path):\($0.number): \($0.file)" }
    }
}
