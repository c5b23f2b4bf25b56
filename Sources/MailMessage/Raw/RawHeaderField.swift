/// One header field exactly as it appears in the message.
///
/// For `Subject: Hello\r\n\tworld\r\n` the name is `Subject` and the value is
/// ` Hello\r\n\tworld`: everything after the colon, folding kept, without the line ending
/// that terminates the field. Nothing is unfolded, trimmed or decoded.
public struct RawHeaderField: Sendable, Hashable {
    /// The field name as written, before the colon (obsolete syntax may leave trailing spaces here).
    public var nameBytes: [UInt8]
    /// The field value as written after the colon, folding line breaks included, final line ending excluded.
    public var valueBytes: [UInt8]

    /// Creates a field from its raw name and raw value bytes.
    public init(nameBytes: [UInt8], valueBytes: [UInt8]) {
        self.nameBytes = nameBytes
        self.valueBytes = valueBytes
    }

    /// Creates a field from strings, stored as UTF-8.
    public init(name: String, value: String) {
        self.init(nameBytes: Array(name.utf8), valueBytes: Array(value.utf8))
    }

    /// The field name as text, without the trailing whitespace that obsolete syntax allows before the colon.
    public var name: String {
        var end = nameBytes.endIndex
        while end > 0, ASCII.isWSP(nameBytes[end - 1]) { end -= 1 }
        return String(decoding: nameBytes[..<end], as: UTF8.self)
    }

    /// The raw value as text (UTF-8, lossy), folding kept.
    public var value: String { String(decoding: valueBytes, as: UTF8.self) }

    /// The value with one leading space or tab removed, which is how most MTAs pass it to a milter.
    public var valueWithoutLeadingSpace: ArraySlice<UInt8> {
        if let first = valueBytes.first, ASCII.isWSP(first) { return valueBytes.dropFirst() }
        return valueBytes[...]
    }

    /// True if the field is called `name`, compared case-insensitively (ASCII).
    public func hasName(_ name: String) -> Bool {
        var end = nameBytes.endIndex
        while end > 0, ASCII.isWSP(nameBytes[end - 1]) { end -= 1 }
        return ASCII.equalsIgnoringCase(nameBytes[..<end], name)
    }
}
