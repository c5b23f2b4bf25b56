/// The header fields of a message or MIME part, with lookup by name.
///
/// Names compare case-insensitively. The underlying ``RawHeaderField`` values keep the bytes exactly.
public struct HeaderFields: Sendable, Hashable, RandomAccessCollection {
    /// The fields in order.
    public var fields: [RawHeaderField]

    /// Wraps fields.
    public init(_ fields: [RawHeaderField]) { self.fields = fields }

    /// The position of the first field.
    public var startIndex: Int { fields.startIndex }
    /// The position after the last field.
    public var endIndex: Int { fields.endIndex }
    /// The field at `position`.
    public subscript(position: Int) -> RawHeaderField { fields[position] }

    /// The first field called `name`.
    public func first(named name: String) -> RawHeaderField? { fields.first { $0.hasName(name) } }

    /// Every field called `name`, in order.
    public func all(named name: String) -> [RawHeaderField] { fields.filter { $0.hasName(name) } }

    /// The decoded value (unfolded, RFC 2047 decoded) of the first field called `name`.
    public subscript(name: String) -> String? { first(named: name)?.decodedValue }

    /// The decoded values of every field called `name`.
    public func values(named name: String) -> [String] { all(named: name).map(\.decodedValue) }

    /// True if some field is called `name`.
    public func contains(named name: String) -> Bool { fields.contains { $0.hasName(name) } }
}
