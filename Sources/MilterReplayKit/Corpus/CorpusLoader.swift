import MailMessage
import MilterClient
import MilterProtocol
import _MilterSystem

/// Turns files into messages: the envelope from the options, else the one `--export-eml` recorded
/// (MilterClient's `RecordedEnvelope`, stripped before sending), else the headers; the expectation from `--expect`, else the
/// manifest, else `X-Milter-Expect:` (always stripped before sending). A file whose first line starts with white space
/// has no header fields, as Postfix and Sendmail read it: all of it is body (see `LeadingWhiteSpace`).
package struct CorpusLoader {
    /// The header that names a message's expected verdict; never sent to the milter.
    static let expectHeader = "X-Milter-Expect"

    package var from: String?
    package var recipients: [String]
    package var manifest: Manifest?
    package var defaultExpectation: Disposition?
    /// The most bytes the files ``load(_:)`` reads may hold together (`--max-corpus-mib`).
    package var maximumTotalBytes = CorpusFiles.defaultMaximumCorpusMiB << 20

    /// A loader that gives every message `from` and `recipients` (when set) and the expectation of
    /// `defaultExpectation`, else of `manifest`, else of the message's header.
    package init(from: String?, recipients: [String], manifest: Manifest?, defaultExpectation: Disposition?) {
        self.from = from
        self.recipients = recipients
        self.manifest = manifest
        self.defaultExpectation = defaultExpectation
    }

    /// The entries of the files at `paths`, all read now; files holding more than ``maximumTotalBytes`` together
    /// are refused at the first one past it (each file is read whole first: at most
    /// ``CorpusFiles/maximumFileSize`` over).
    package func load(_ paths: [String]) throws(CorpusError) -> [CorpusEntry] {
        var entries: [CorpusEntry] = []
        var total = 0
        for path in paths {
            let bytes = try CorpusFiles.read(path)
            total += bytes.count
            guard total <= maximumTotalBytes else {
                throw CorpusError(
                    description: "the .eml inputs hold more than \(maximumTotalBytes >> 20) MiB (\(path) goes past "
                        + "it): every message is read into memory before the run; raise --max-corpus-mib, or give "
                        + "fewer files")
            }
            entries.append(try entry(path, bytes: bytes))
        }
        return entries
    }

    /// The entry for a message's `bytes`, named `path` in reports (a file, or a message built on the command line).
    package func entry(_ path: String, bytes: [UInt8]) throws(CorpusError) -> CorpusEntry {
        // A first line that starts with white space: no header fields, as Postfix and Sendmail read it.
        let split = LeadingWhiteSpace.split(bytes)
        var raw = split.message
        if let setAside = split.setAside {
            Self.warn(path, LeadingWhiteSpace.warning(for: setAside, expectHeader: Self.expectHeader))
        }
        // The command line wins over the file: --expect, then the manifest, then the header.
        var expected = defaultExpectation ?? manifest?.expectation(for: path)
        if let field = raw.fields(named: Self.expectHeader).first {
            let word = field.value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" })
            guard let first = word.first, let verdict = Disposition(rawValue: first.lowercased()) else {
                throw CorpusError(
                    description: "\(path): \(Self.expectHeader) must name a verdict: \(Manifest.verdictWords)")
            }
            expected = expected ?? verdict
            raw.removeFields(named: Self.expectHeader)
        }
        // --from and --rcpt, then the envelope an export recorded, then the message's own header fields.
        let (message, warning): (MilterMessage, String?)
        do {
            (message, warning) = try EnvelopeFallback.message(raw, recordedOr: from, recipients: recipients)
        } catch {
            throw CorpusError(description: "\(path): \(error)")
        }
        if let warning { Self.warn(path, "\(warning) (give --from and --rcpt)") }
        var entry = CorpusEntry(path: path, message: message, expected: expected)
        entry.moreExpectations = manifest?.moreExpectations(for: path)
        return entry
    }

    /// Writes `milter-replay: warning: PATH: TEXT` on standard error.
    private static func warn(_ path: String, _ text: String) {
        FileDescriptorWriter.standardError("milter-replay: warning: \(path): \(text)\n")
    }
}
