import MilterClient

/// One message of the corpus, ready to send.
///
/// Its parts live in one shared object: a run copies the entry into the outcome of every message it
/// sends, and a copy then costs one reference instead of one per array and string of the message.
public struct CorpusEntry: Sendable {
    private var parts: Parts

    /// The file, as found from the command line.
    public var path: String { parts.path }
    /// The envelope and content.
    public var message: MilterMessage { parts.message }

    /// Runs `body` with the message lent, not copied: a copy retains each of its arrays and strings,
    /// and a run hands the message over for every message it sends.
    package func withMessage<T>(_ body: (borrowing MilterMessage) -> T) -> T { body(parts.message) }
    /// The verdict expected, if any.
    public var expected: Disposition? { parts.expected }
    /// Whether a NUL stands in an envelope address, an ESMTP argument or a header field: only then can the MTA
    /// refuse a command of the message before the milter sees it (``EnvelopeInputError``), so only then are a
    /// result's steps searched for that refusal.
    package var holdsNUL: Bool { parts.holdsNUL }
    /// The message's lookup hash in a store of exchanges, worked out once (a run sends the entry many times).
    package var lookupHash: Int { parts.lookupHash }
    /// What the manifest expects beyond the verdict (reply, added and present headers), if anything.
    package var moreExpectations: StepExpectation? {
        get { parts.moreExpectations }
        set {
            parts = Parts(
                path: parts.path, message: parts.message, expected: parts.expected, moreExpectations: newValue)
        }
    }

    /// The message read from `path`, and the verdict it should get.
    public init(path: String, message: MilterMessage, expected: Disposition?) {
        parts = Parts(path: path, message: message, expected: expected, moreExpectations: nil)
    }

    private final class Parts: Sendable {
        let path: String
        let message: MilterMessage
        let expected: Disposition?
        let moreExpectations: StepExpectation?
        let holdsNUL: Bool
        let lookupHash: Int

        init(path: String, message: MilterMessage, expected: Disposition?, moreExpectations: StepExpectation?) {
            self.path = path
            self.message = message
            self.expected = expected
            self.moreExpectations = moreExpectations
            lookupHash = message.lookupHash
            let envelope = [message.sender] + message.recipients
            holdsNUL =
                envelope.contains { address in
                    address.address.bytes.contains(0) || address.arguments.contains { $0.bytes.contains(0) }
                } || message.headerFields.contains { $0.nameBytes.contains(0) || $0.valueBytes.contains(0) }
        }
    }
}

/// A corpus that cannot be used: the tool exits with a usage error.
package struct CorpusError: Error, CustomStringConvertible {
    /// What is wrong, naming the file.
    package let description: String

    /// The description without the `PATH: ` it starts with, for a caller that names the file itself.
    package func reason(for path: String) -> String {
        description.hasPrefix(path + ": ") ? String(description.dropFirst(path.count + 2)) : description
    }
}
