/// Bounds that keep parsing proportional to the input, whatever the input is.
///
/// When a limit is reached the parser stops collecting or descending, keeps what it has,
/// and marks the result as truncated (``RawMessage/isTruncated``, ``MIMEMessage/isTruncated``).
public struct ParseLimits: Sendable, Hashable {
    /// The deepest nesting of multipart and message/rfc822 parts that is parsed. The top level is depth 0.
    public var maxDepth: Int
    /// The largest number of MIME parts parsed in one message, all levels together.
    public var maxParts: Int
    /// The largest number of header fields kept per header section.
    public var maxHeaderFields: Int
    /// The largest header section, in bytes, whose fields are kept. Fields past it are skipped.
    public var maxHeaderBytes: Int

    /// Creates limits; every value is clamped to at least 1, and depth to 0...1,000 because parsing
    /// recurses once per level.
    public init(maxDepth: Int = 64, maxParts: Int = 10_000, maxHeaderFields: Int = 2_000, maxHeaderBytes: Int = 1 << 20)
    {
        self.maxDepth = min(max(0, maxDepth), 1_000)
        self.maxParts = max(1, maxParts)
        self.maxHeaderFields = max(1, maxHeaderFields)
        self.maxHeaderBytes = max(1, maxHeaderBytes)
    }

    /// Generous defaults suited to real mail: depth 64, 10,000 parts, 2,000 fields and 1 MiB of header per part.
    public static let `default` = ParseLimits()

    /// The defaults, except that no header field of a message of `byteCount` bytes is skipped: the
    /// field limits grow to the message's size, which already bounds the work. For messages whose
    /// size a caller has bounded (a file read with a limit, the data an MTA sent within a memory
    /// budget), so that a From or Subject past 2,000 padding fields is still seen.
    public static func keepingEveryField(ofMessageOf byteCount: Int) -> ParseLimits {
        let size = max(0, byteCount)
        return ParseLimits(maxHeaderFields: max(2_000, size), maxHeaderBytes: max(1 << 20, size))
    }
}
