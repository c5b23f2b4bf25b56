/// The one error type of the milter codec and its state machines.
///
/// The ``code`` names the rule that was broken; new codes can be added without breaking users,
/// because ``Code`` is a struct that wraps a private enumeration. The ``description`` never
/// contains personal data: payload excerpts are redacted (see ``Redaction``).
public struct MilterProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var code: Code
    /// The command or reply byte of the frame concerned, when known.
    public var commandByte: UInt8?
    /// The byte offset of the frame in its stream, when known.
    public var streamOffset: Int?
    /// A short, redacted excerpt of the offending bytes.
    public var excerpt: String?
    /// Free text that states the rule in question; it never holds payload data.
    public var detail: String?

    /// Creates an error.
    public init(
        _ code: Code, commandByte: UInt8? = nil, streamOffset: Int? = nil, excerpt: String? = nil,
        detail: String? = nil
    ) {
        self.code = code
        self.commandByte = commandByte
        self.streamOffset = streamOffset
        self.excerpt = excerpt
        self.detail = detail
    }

    /// A readable account of the error, free of personal data.
    public var description: String {
        var parts = ["milter protocol error: \(code)"]
        if let commandByte { parts.append("command \(Redaction.describe(byte: commandByte))") }
        if let streamOffset { parts.append("at stream offset \(streamOffset)") }
        if let detail { parts.append(detail) }
        if let excerpt { parts.append("bytes: \(excerpt)") }
        return parts.joined(separator: ", ")
    }

    /// What the peer looks like when its first bytes were a text protocol's answer instead of a frame
    /// (`an SMTP server`, `an HTTP server`, `an SSH server`): it is no milter. Read from ``detail``, which says so
    /// (a stored property would change the type's layout for every module built against it).
    public var peerLooksLike: String? {
        guard code == .frameTooLarge, let detail else { return nil }
        return TextPeerShape.servers.first { detail.hasSuffix("this looks like \($0), not a milter") }
    }

    /// Returns a copy with the stream position filled in.
    public func at(offset: Int?, commandByte: UInt8? = nil) -> MilterProtocolError {
        var copy = self
        copy.streamOffset = copy.streamOffset ?? offset
        copy.commandByte = copy.commandByte ?? commandByte
        return copy
    }
}
