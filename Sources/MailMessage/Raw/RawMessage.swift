/// A message split into header fields and body, byte for byte as written.
///
/// This is the view an MTA has when it hands a message to a milter: the fields in order with
/// their raw values, then the body. The split tolerates CRLF and LF-only input, a missing body,
/// a missing final newline and a leading mbox `From ` line.
///
/// ```swift
/// var raw = RawMessage(parsing: Array("Subject: hi\r\nX-Milter-Expect: accept\r\n\r\nbody\r\n".utf8))
/// raw.removeFields(named: "X-Milter-Expect")
/// // raw.headerFields.map(\.name) == ["Subject"], Array(raw.body) == Array("body\r\n".utf8)
/// ```
public struct RawMessage: Sendable, Hashable {
    /// The header fields in the order they appear.
    public var headerFields: [RawHeaderField]
    /// The body: every byte after the empty line that ends the header section (or from the first
    /// line that is neither a header field nor a continuation line when there is no empty line).
    public var body: ArraySlice<UInt8>
    /// The line ending of the first line: CRLF or LF.
    public var lineEnding: LineEnding
    /// A leading mbox `From ` line, without its line ending, if the input started with one.
    public var mboxFromLine: [UInt8]?
    /// Lines before the first field that start with white space, without their line endings: they continue no
    /// field, so they are set aside and the header section goes on after them, as in Python's `email` package
    /// (which records a `FirstHeaderLineIsContinuationDefect` for each). ``serialized()`` writes them first.
    public var leadingContinuationLines: [[UInt8]]
    /// True if header fields were dropped because of ``ParseLimits``.
    public var isTruncated: Bool

    /// The line ending convention detected in a message.
    public enum LineEnding: Sendable, Hashable {
        /// `\r\n`, as on the wire.
        case crlf
        /// `\n`, as in most files on disk.
        case lf
    }

    /// Splits a message. Never fails: anything that is not a header field (or a continuation line before the
    /// first field, see ``leadingContinuationLines``) starts the body.
    public init(parsing bytes: [UInt8], limits: ParseLimits = .default) {
        self.init(parsing: bytes[...], limits: limits)
    }

    /// Splits a message held in a slice (for example a MIME part); the body shares the slice's storage.
    public init(parsing bytes: ArraySlice<UInt8>, limits: ParseLimits = .default) {
        var splitter = HeaderSplitter(bytes: bytes, limits: limits)
        splitter.run()
        headerFields = splitter.fields
        body = bytes[splitter.bodyStart...]
        lineEnding = splitter.lineEnding
        mboxFromLine = splitter.mboxFromLine
        leadingContinuationLines = splitter.leadingContinuationLines
        isTruncated = splitter.isTruncated
    }

    /// Creates a message from parts.
    public init(headerFields: [RawHeaderField], body: ArraySlice<UInt8>, lineEnding: LineEnding = .crlf) {
        self.headerFields = headerFields
        self.body = body
        self.lineEnding = lineEnding
        self.mboxFromLine = nil
        self.leadingContinuationLines = []
        self.isTruncated = false
    }

    /// The fields called `name` (case-insensitive), in order.
    public func fields(named name: String) -> [RawHeaderField] {
        headerFields.filter { $0.hasName(name) }
    }

    /// Removes every field called `name` (case-insensitive) and returns how many were removed.
    @discardableResult
    public mutating func removeFields(named name: String) -> Int {
        let before = headerFields.count
        headerFields.removeAll { $0.hasName(name) }
        return before - headerFields.count
    }

    /// The message as bytes: each leading continuation line and each field as `name:value` with a line ending,
    /// an empty line, then the body.
    /// For a message parsed from bytes without an mbox line, whose fields all end with
    /// `lineEnding` and whose header ends with an empty line, this gives back the input exactly.
    public func serialized() -> [UInt8] {
        let eol: [UInt8] = lineEnding == .crlf ? [ASCII.cr, ASCII.lf] : [ASCII.lf]
        var bytes: [UInt8] = []
        bytes.reserveCapacity(body.count + headerFields.reduce(0) { $0 + $1.nameBytes.count + $1.valueBytes.count + 3 })
        for line in leadingContinuationLines { bytes += line + eol }
        for field in headerFields {
            bytes += field.nameBytes
            bytes.append(ASCII.colon)
            bytes += field.valueBytes
            bytes += eol
        }
        bytes += eol
        bytes += body
        return bytes
    }

    /// The body with every line ending converted to CRLF, as an MTA sends it to a milter.
    public var bodyWithCRLF: [UInt8] { LineEndings.toCRLF(body) }
}
