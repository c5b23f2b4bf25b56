import ArgumentParser
import MailMessage
import ReferenceMilter

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `dump FILE.eml [-H] [-b] [--html]`: the parsed headers and body parts of a message.
struct DumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump", abstract: "Print a message's decoded headers and body parts.")

    @Argument(help: "The message file (.eml).")
    var file: String

    @Flag(name: .customShort("H"), help: "Only the headers.")
    var headersOnly = false

    @Flag(name: .short, help: "Only the body parts.")
    var bodyOnly = false

    @Flag(help: "Render HTML parts as text.")
    var html = false

    func run() throws {
        guard let bytes = FileManager.default.contents(atPath: file) else {
            throw CLIError.usage("cannot read \(file)")
        }
        let message = MIMEMessage(parsing: Array(bytes))
        let both = headersOnly == bodyOnly
        var output: [String] = []
        if headersOnly || both { output += MessageDump.headers(message) }
        if bodyOnly || both { output += MessageDump.parts(message, renderHTML: html) }
        print(output.joined(separator: "\n"))
    }
}

/// The text of `dump`.
enum MessageDump {
    /// One line per header field: `Name: decoded value`.
    static func headers(_ message: MIMEMessage) -> [String] {
        message.headers.map { "\($0.name): \($0.decodedValue.trimmingSpaces)" }
    }

    /// Each leaf part: a `--- part N: type` line, then its text (or a summary for binary data).
    static func parts(_ message: MIMEMessage, renderHTML: Bool) -> [String] {
        var lines: [String] = []
        for (index, part) in message.leafParts.enumerated() {
            var title = "--- part \(index + 1): \(part.contentType.mediaType)"
            if let filename = part.filename { title += " \"\(filename)\"" }
            if part.isAttachment { title += " (attachment, \(part.decodedBody.count) bytes)" }
            lines.append(title)
            if let text = part.text, !part.isAttachment || part.contentType.type == "text" {
                let isHTML = part.contentType.subtype == "html"
                lines.append(isHTML && renderHTML ? HTMLText.render(text) : text)
            }
        }
        return lines
    }
}
