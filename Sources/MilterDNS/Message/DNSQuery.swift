/// A query: an ID and one question, asking for recursion.
public struct DNSQuery: Hashable, Sendable {
    /// The ID a response must echo.
    public var id: UInt16
    /// The question.
    public var question: DNSQuestion
    /// Whether a response must spell the question's name exactly as asked, letter case included: the
    /// name's case was randomised (0x20 randomisation) so that a forger must guess it too. Otherwise
    /// names compare case-insensitively.
    public var requiresExactCase: Bool

    /// Creates a query.
    public init(id: UInt16, question: DNSQuestion, requiresExactCase: Bool = false) {
        self.id = id
        self.question = question
        self.requiresExactCase = requiresExactCase
    }

    /// The wire form: header with RD set and QDCOUNT 1, then the question.
    public func encoded() throws(DNSError) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        bytes += try DNSName.encode(question.name)
        let type = question.type.rawValue
        bytes += [
            UInt8(type >> 8), UInt8(type & 0xFF), UInt8(question.recordClass >> 8), UInt8(question.recordClass & 0xFF),
        ]
        return bytes
    }
}
