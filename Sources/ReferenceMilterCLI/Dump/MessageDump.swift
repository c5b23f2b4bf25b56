import MailMessage
import ReferenceMilter

/// The text of `dump`.
enum MessageDump {
    /// One line per header field: `Name: decoded value`.
    static func headers(_ message: MIMEMessage) -> [String] {
        message.headers.map { "\($0.name): \(value(of: $0))" }
    }

    /// A field's value as a classifier sees it (``MailInfo/header(_:)``): unfolded, encoded words decoded,
    /// trimmed; a bare CR, which is no line end and which the milter receives, stays, for the terminal
    /// escaping to show as `\r`.
    static func value(of field: RawHeaderField) -> String { field.decodedValue.trimmingSpaces }

    /// Each leaf part: a `--- part N: type` line, then its text (or a summary for binary data). CRLF line ends
    /// print as line ends; a bare CR stays, for the terminal escaping to show.
    static func parts(_ message: MIMEMessage, renderHTML: Bool) -> [String] {
        var lines: [String] = []
        for (index, part) in message.leafParts.enumerated() {
            var title = "--- part \(index + 1): \(part.contentType.mediaType)"
            if let filename = part.filename { title += " \"\(filename)\"" }
            if part.isAttachment { title += " (attachment, \(part.decodedBody.count) bytes)" }
            lines.append(title)
            if let text = part.text, !part.isAttachment || part.contentType.type == "text" {
                let isHTML = part.contentType.subtype == "html"
                lines.append((isHTML && renderHTML ? HTMLText.render(text) : text).replacing("\r\n", with: "\n"))
            }
        }
        return lines
    }
}
