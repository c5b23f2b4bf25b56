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

extension Multipart: CustomStringConvertible {
    /// Part count and the sizes of preamble and epilogue; no bytes.
    public var description: String {
        "Multipart(\(parts.count) parts, preamble \(preamble.count) bytes, epilogue \(epilogue.count) bytes"
            + (isClosed ? ")" : ", not closed)")
    }
}

extension ContentType: CustomStringConvertible {
    /// The media type and the parameter names; no parameter values (a `name` is personal data).
    public var description: String { "ContentType(\(mediaType), parameters: \(parameters.keys.sorted()))" }
}

extension ContentDisposition: CustomStringConvertible {
    /// The disposition type and the parameter names; no parameter values (a filename is personal data).
    public var description: String { "ContentDisposition(\(kind), parameters: \(parameters.keys.sorted()))" }
}

extension Attachment: CustomStringConvertible {
    /// Media type, size and the length of the filename; not the filename or the data.
    public var description: String {
        "Attachment(\(mediaType), \(size) bytes, filename: \(filename.count) chars" + (isInline ? ", inline)" : ")")
    }
}

extension AddressGroup: CustomStringConvertible {
    /// The length of the group's name and its member count; no names or addresses.
    public var description: String { "AddressGroup(name: \(name.count) chars, \(members.count) members)" }
}

extension AddressList: CustomStringConvertible {
    /// Entry and mailbox counts; no names or addresses.
    public var description: String { "AddressList(\(entries.count) entries, \(mailboxes.count) mailboxes)" }
}

extension ReceivedHeader: CustomStringConvertible {
    /// The protocol, how many IP addresses and whether a date was found; no host names, addresses or
    /// recipient.
    public var description: String {
        "ReceivedHeader(with: \(with ?? "-"), \(ipAddresses.count) IP addresses, date: \(date == nil ? "none" : "yes"))"
    }
}
