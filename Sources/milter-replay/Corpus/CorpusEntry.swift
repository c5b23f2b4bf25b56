import MilterClient

/// One message of the corpus, ready to send.
struct CorpusEntry: Sendable {
    /// The file, as found from the command line.
    let path: String
    /// The envelope and content.
    let message: MilterMessage
    /// The verdict expected, if any.
    let expected: Verdict?
}

/// A corpus that cannot be used: the tool exits with a usage error.
struct CorpusError: Error, CustomStringConvertible {
    /// What is wrong, naming the file.
    let description: String
}
