import MilterClient

/// One message of the corpus, ready to send.
public struct CorpusEntry: Sendable {
    /// The file, as found from the command line.
    public let path: String
    /// The envelope and content.
    public let message: MilterMessage
    /// The verdict expected, if any.
    public let expected: Disposition?
    /// What the manifest expects beyond the verdict (reply, added and present headers), if anything.
    package var moreExpectations: StepExpectation?

    /// The message read from `path`, and the verdict it should get.
    public init(path: String, message: MilterMessage, expected: Disposition?) {
        self.path = path
        self.message = message
        self.expected = expected
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
