extension MIMEMessage {
    /// Every entity of the message in depth-first order, the top level first. Embedded messages are
    /// entered too. Never deeper than the parse limits allowed.
    public var allParts: [MIMEPart] {
        var result: [MIMEPart] = []
        var stack = [root]
        while let part = stack.popLast() {
            result.append(part)
            switch part.content {
            case .single: break
            case .multipart(let multipart): stack.append(contentsOf: multipart.parts.reversed())
            case .message(let inner): stack.append(inner)
            }
        }
        return result
    }

    /// The leaves of this message's own body, in order, not entering embedded messages: the
    /// message/rfc822 part itself is a leaf here.
    public var leafParts: [MIMEPart] {
        var result: [MIMEPart] = []
        var stack = [root]
        while let part = stack.popLast() {
            if case .multipart(let multipart) = part.content {
                stack.append(contentsOf: multipart.parts.reversed())
            } else {
                result.append(part)
            }
        }
        return result
    }

    /// The readable text: all text/plain body parts joined by newlines; when there are none, the
    /// HTML parts rendered to plain text; when there are none either, a multipart preamble; else `""`.
    public var textBody: String {
        let plain = bodyParts(subtype: "plain").compactMap(\.text)
        if !plain.isEmpty { return plain.joined(separator: "\n") }
        let html = bodyParts(subtype: "html").compactMap(\.text)
        if !html.isEmpty { return html.map(HTMLText.render).joined(separator: "\n") }
        if case .multipart(let multipart) = root.content, multipart.parts.isEmpty {
            return Charsets.decodeUnlabelled(multipart.preamble)
        }
        return ""
    }

    /// The first text/html body part, decoded; nil when there is none.
    public var htmlBody: String? { bodyParts(subtype: "html").first?.text }

    /// The attachments: leaves that are not body text, and embedded messages, in order.
    public var attachments: [Attachment] { leafParts.filter(\.isAttachment).map(Attachment.init(part:)) }

    /// The embedded messages (message/rfc822 parts) of this message's body, in order.
    public var embeddedMessages: [MIMEMessage] {
        leafParts.compactMap { part in
            guard case .message(let inner) = part.content else { return nil }
            return MIMEMessage(root: inner, isTruncated: isTruncated)
        }
    }

    private func bodyParts(subtype: String) -> [MIMEPart] {
        leafParts.filter { $0.contentType.type == "text" && $0.contentType.subtype == subtype && !$0.isAttachment }
    }
}
