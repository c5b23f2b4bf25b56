import MilterClient

/// Expected verdicts from a file of `FILE VERDICT` lines; `#` starts a comment.
///
/// A FILE matches a message whose path is the same, or the same relative to the manifest's
/// directory, or, failing both, whose file name is the same.
package struct Manifest {
    private var byPath: [String: Verdict] = [:]
    private var byName: [String: Verdict] = [:]

    /// Reads and parses a manifest.
    package init(path: String) throws(CorpusError) {
        let text = String(decoding: try CorpusFiles.read(path), as: UTF8.self)
        let directory = path.deletingLastPathComponent
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if words.isEmpty { continue }
            guard words.count == 2, let verdict = Verdict(rawValue: words[1].lowercased()) else {
                throw CorpusError(description: "\(path):\(number + 1): expected 'FILE VERDICT'")
            }
            let file = String(words[0])
            byPath[file] = verdict
            byPath[directory.appendingPathComponent(file).lexicallyNormalizedPath] = verdict
            byName[file.lastPathComponent] = verdict
        }
    }

    /// The expected verdict for a message file.
    package func expectation(for path: String) -> Verdict? {
        byPath[path] ?? byPath[path.lexicallyNormalizedPath]
            ?? byName[path.lastPathComponent]
    }
}
