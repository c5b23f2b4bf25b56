/// A question: a name, a type, and the Internet class.
public struct DNSQuestion: Hashable, Sendable {
    /// The name, without the final dot.
    public var name: String
    /// The record type asked for.
    public var type: DNSRecordType
    /// The class; 1 (IN) for every query this client sends.
    public var recordClass: UInt16

    /// Creates a question.
    public init(name: String, type: DNSRecordType, recordClass: UInt16 = 1) {
        self.name = name
        self.type = type
        self.recordClass = recordClass
    }

    /// Whether `other` asks the same thing; names compare case-insensitively (RFC 4343).
    public func matches(_ other: DNSQuestion) -> Bool {
        type == other.type && recordClass == other.recordClass
            && DNSName.canonical(name) == DNSName.canonical(other.name)
    }
}
