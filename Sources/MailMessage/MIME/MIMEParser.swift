/// Builds the MIME tree, enforcing ``ParseLimits`` as it goes.
struct MIMEParser {
    let limits: ParseLimits
    private(set) var partCount = 0
    private(set) var isTruncated = false
    /// How many bytes encoded containers may still decode into: a chain of encoded
    /// message/rfc822 parts must not multiply memory by the nesting depth.
    private var decodeBudget: Int

    init(limits: ParseLimits, inputSize: Int) {
        self.limits = limits
        self.decodeBudget = inputSize
    }

    mutating func parsePart(_ bytes: ArraySlice<UInt8>, depth: Int, defaultType: ContentType) -> MIMEPart {
        parsePart(RawMessage(parsing: bytes, limits: limits), depth: depth, defaultType: defaultType)
    }

    mutating func parsePart(_ raw: RawMessage, depth: Int, defaultType: ContentType) -> MIMEPart {
        partCount += 1
        if raw.isTruncated { isTruncated = true }
        let headers = HeaderFields(raw.headerFields)
        let contentType = headers.first(named: "Content-Type").map { ContentType(parsing: $0.valueBytes[...]) }
        let disposition = headers.first(named: "Content-Disposition").map {
            ContentDisposition(parsing: $0.valueBytes[...])
        }
        let encoding =
            headers.first(named: "Content-Transfer-Encoding").map { TransferEncoding(parsing: $0.valueBytes[...]) }
            ?? .sevenBit
        var type = contentType ?? defaultType
        // A multipart needs a boundary (RFC 2046 section 5.1.1): without one nothing delimits its parts, and
        // its body is read as text/plain, the default for a Content-Type that cannot be used (RFC 2045
        // section 5.2), so that its text is not hidden from classifiers. The field itself stays in `headers`.
        if type.isMultipart, type.boundary?.isEmpty ?? true { type = .textPlain }
        var part = MIMEPart(
            headers: headers, contentType: type, contentDisposition: disposition,
            transferEncoding: encoding, rawBody: raw.body, content: .single)
        part.leadingContinuationLines = raw.leadingContinuationLines
        part.content = parseContent(of: part, depth: depth)
        return part
    }

    private mutating func parseContent(of part: MIMEPart, depth: Int) -> MIMEContent {
        let type = part.contentType
        guard type.isMultipart || type.isEmbeddedMessage else { return .single }
        guard depth < limits.maxDepth else {
            isTruncated = true
            return .single
        }
        // Containers should not be encoded; when one is, decode it first, within the budget.
        var body = part.rawBody
        if part.transferEncoding.transformsBytes {
            guard decodeBudget >= part.rawBody.count else {
                isTruncated = true
                return .single
            }
            decodeBudget -= part.rawBody.count
            body = part.decodedBody[...]
        }
        if type.isEmbeddedMessage {
            return .message(parsePart(body, depth: depth + 1, defaultType: .textPlain))
        }
        guard let boundary = type.boundary, !boundary.isEmpty else { return .single }
        return .multipart(parseMultipart(body, boundary: boundary, depth: depth, digest: type.subtype == "digest"))
    }

    private mutating func parseMultipart(
        _ body: ArraySlice<UInt8>, boundary: String, depth: Int, digest: Bool
    ) -> Multipart {
        let remaining = max(0, limits.maxParts - partCount)
        let split = MultipartSplitter(body: body, boundary: Array(boundary.utf8)).split(maxParts: remaining)
        if split.isTruncated { isTruncated = true }
        var parts: [MIMEPart] = []
        parts.reserveCapacity(split.parts.count)
        for bytes in split.parts {
            guard partCount < limits.maxParts else {
                isTruncated = true
                break
            }
            parts.append(parsePart(bytes, depth: depth + 1, defaultType: digest ? .messageRFC822 : .textPlain))
        }
        return Multipart(preamble: split.preamble, parts: parts, epilogue: split.epilogue, isClosed: split.isClosed)
    }
}
