/// An error met while reading a capture file.
///
/// The ``offset`` is the byte offset in the file of the record or block that could not be read,
/// so that `xxd -s OFFSET FILE` shows the culprit. The description never includes packet contents.
public struct CaptureError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, as a value that can be compared without matching on the description.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The file starts with neither a pcap nor a pcapng magic number.
        public static let unknownFormat = Kind("unknown capture format")
        /// The file ends in the middle of a header, record or block. Once a packet has been read, ``CaptureReader``
        /// keeps it as ``CaptureReader/truncation`` and ends the file there instead of throwing it.
        public static let truncatedFile = Kind("truncated file")
        /// A record or block is larger than the configured limit.
        public static let recordTooLarge = Kind("record too large")
        /// A pcapng section describes more interfaces than the reader keeps (65,536).
        public static let tooManyInterfaces = Kind("too many interfaces")
        /// A header or block is structurally invalid.
        public static let malformed = Kind("malformed")
        /// A file format version this reader does not support.
        public static let unsupportedVersion = Kind("unsupported version")
        /// The operating system refused to open or read the file.
        public static let io = Kind("I/O error")
        /// The path names a directory: no capture is read from it.
        public static let notRegularFile = Kind("not a regular file")
        /// The input holds no byte at all (`--pcap - < /dev/null`).
        public static let empty = Kind("empty")

        /// A short name for the kind.
        public var description: String { name }
    }

    /// What went wrong.
    public let kind: Kind
    /// The byte offset in the file of the header, record or block at fault.
    public let offset: UInt64
    /// Details: sizes, field names, limits. Never packet contents.
    public let detail: String

    /// Creates an error.
    package init(_ kind: Kind, at offset: UInt64, _ detail: String) {
        self.kind = kind
        self.offset = offset
        self.detail = detail
    }

    /// A one-line description naming the kind, offset and detail; only the kind for a directory or an empty input,
    /// which are not about a place in a file.
    public var description: String {
        kind == .notRegularFile || kind == .empty ? kind.description : "\(kind) at file offset \(offset): \(detail)"
    }
}
