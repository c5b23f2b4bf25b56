import _MilterSystem

/// A message named on a command line: a file, or standard input for `-`.
package enum MessageFile {
    /// The largest message read, checked before buffering: 64 MiB.
    package static let maximumSize = 64 << 20

    /// The bytes of the file at `path`, or of standard input when `path` is `-`; the error names the input and
    /// says why (`x.eml: cannot read: No such file or directory`), its control characters escaped.
    package static func read(_ path: String) throws(FileContents.ReadError) -> [UInt8] {
        do {
            if path == "-" { return try FileContents.read(descriptor: 0, limit: maximumSize) }
            return try FileContents.read(path, limit: maximumSize)
        } catch {
            let name = path == "-" ? "standard input" : TerminalText.escapingControls(path, keepingLineFeeds: false)
            throw FileContents.ReadError(description: "\(name): cannot read: \(error)")
        }
    }
}
