/// A NUL-terminated string of the milter protocol, kept byte for byte.
///
/// Mail carries raw 8-bit header values and addresses, which a Swift `String` cannot hold
/// without loss. `MilterString` keeps the exact bytes; ``string`` decodes them as UTF-8,
/// replacing invalid sequences. It never holds the terminating NUL.
public struct MilterString: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The bytes, without the terminating NUL.
    public var bytes: [UInt8]

    /// Creates a string from its UTF-8 encoding.
    public init(_ string: String) { self.bytes = Array(string.utf8) }

    /// Creates a string from raw bytes.
    public init(bytes: some Sequence<UInt8>) { self.bytes = Array(bytes) }

    /// Creates a string from a literal.
    public init(stringLiteral value: String) { self.init(value) }

    /// The bytes decoded as UTF-8, with invalid sequences replaced by U+FFFD.
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// The decoded string; callers that log it must redact it themselves.
    public var description: String { string }

    /// Whether the string has no bytes.
    public var isEmpty: Bool { bytes.isEmpty }
}
