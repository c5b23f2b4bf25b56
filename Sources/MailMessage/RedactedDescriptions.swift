// Header values, addresses and bodies are personal data: descriptions print names, types and sizes only.

extension RawHeaderField: CustomStringConvertible {
    /// The field name and the size of its value, never the value.
    public var description: String { "\(name): <\(valueBytes.count) bytes>" }
}

extension RawMessage: CustomStringConvertible {
    /// Field count, body size and line ending; no header values or body bytes.
    public var description: String {
        "RawMessage(\(headerFields.count) fields, body \(body.count) bytes, \(lineEnding == .crlf ? "CRLF" : "LF")"
            + (isTruncated ? ", truncated)" : ")")
    }
}

extension MIMEPart: CustomStringConvertible {
    /// Media type and raw body size.
    public var description: String { "MIMEPart(\(contentType.mediaType), \(rawBody.count) bytes)" }
}

extension MIMEMessage: CustomStringConvertible {
    /// Part count and truncation; no header values or body bytes.
    public var description: String { "MIMEMessage(\(partCount) parts" + (isTruncated ? ", truncated)" : ")") }
}
