import NIOCore

/// A header field as the milter protocol carries it: `name\0value\0`.
///
/// The value has no CR: folded lines are joined with a bare LF (pitfall 10). An empty value
/// travels as `name\0\0` (pitfall 11). Unless SMFIP_HDR_LEADSPC is negotiated, Postfix drops one
/// space after the colon before sending and adds one back when applying a change.
public struct HeaderField: Hashable, Sendable {
    /// The field name, without the colon.
    public var name: MilterString
    /// The field value, folding kept as bare LF.
    public var value: MilterString

    /// Creates a header field.
    public init(name: MilterString, value: MilterString) {
        self.name = name
        self.value = value
    }

    /// Whether `name` is an RFC 5322 field name: one or more printable US-ASCII characters (33 to 126)
    /// other than `:`. No space, no control character, nothing above 126.
    public static func isValidName(_ name: some Collection<UInt8>) -> Bool {
        !name.isEmpty && name.allSatisfy { (0x21...0x7E).contains($0) && $0 != UInt8(ascii: ":") }
    }
}

/// The payload of INSHEADER (`i`) and CHGHEADER (`m`): an index and a header field.
///
/// For INSHEADER the index is the position to insert at (0 is the top). For CHGHEADER it is
/// the occurrence of that name, counted from 1 (Postfix reads 0 as 1); an empty value deletes.
public struct IndexedHeaderField: Hashable, Sendable {
    /// The position (insert) or occurrence (change).
    public var index: UInt32
    /// The header field.
    public var field: HeaderField

    /// Creates an indexed header field.
    public init(index: UInt32, field: HeaderField) {
        self.index = index
        self.field = field
    }
}

extension ByteBuffer {
    @usableFromInline
    mutating func readHeaderField() throws(MilterProtocolError) -> HeaderField {
        let name = try readMilterString()
        let value = try readMilterString()
        try expectEmpty("a header field after its value")
        return HeaderField(name: name, value: value)
    }

    @usableFromInline
    mutating func writeHeaderField(_ field: HeaderField) throws(MilterProtocolError) {
        try writeMilterString(field.name)
        try writeMilterString(field.value)
    }

    @usableFromInline
    mutating func readIndexedHeaderField() throws(MilterProtocolError) -> IndexedHeaderField {
        let index = try readMilterUInt32("the header index")
        return IndexedHeaderField(index: index, field: try readHeaderField())
    }

    @usableFromInline
    mutating func writeIndexedHeaderField(_ indexed: IndexedHeaderField) throws(MilterProtocolError) {
        writeInteger(indexed.index, endianness: .big)
        try writeHeaderField(indexed.field)
    }
}
