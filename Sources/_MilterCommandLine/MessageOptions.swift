import ArgumentParser
import MilterProtocol
import _MilterSystem

/// `--header NAME:VALUE` and `--body TEXT|@FILE`: a message built on the command line instead of read from a
/// file, in `milter-replay` and in a milter binary's `test`.
package struct MessageOptions: ParsableArguments {
    @Option(
        name: .customLong("header"),
        help: ArgumentHelp(
            "Build the message on the command line: a header field (repeatable, in order), instead of a file.",
            valueName: "name:value"))
    package var headers: [String] = []

    @Option(
        help: ArgumentHelp(
            "Build the message on the command line: its body, TEXT or @FILE (default: empty).",
            valueName: "text|@file"))
    package var body: String?

    package init() {}

    /// Whether a message is built on the command line.
    package var buildsMessage: Bool { !headers.isEmpty || body != nil }

    package func validate() throws {
        for header in headers {
            let name = header.prefix { $0 != ":" }
            guard name.count < header.count, !name.isEmpty,
                name.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) })
            else {
                // The value is personal data: only its shape is shown (`Subject secret` reads `xxxxxxx xxxxxx`).
                let shown =
                    name.count < header.count
                    ? String(name) + ":" + Redaction.excerpt(header.utf8.dropFirst(name.utf8.count + 1))
                    : Redaction.excerpt(header.utf8)
                throw ValidationError("--header takes NAME:VALUE, a field name without spaces; got '\(shown)'")
            }
        }
    }

    /// The message: each header field on its own line, an empty line, the body with CRLF line ends. With
    /// `regularOnly` (milter-replay, whose every input must be a regular file), a body file that is not one (a FIFO,
    /// a device) is refused before a read could block on it.
    package func message(regularOnly: Bool = false) throws -> [UInt8] {
        var text = ""
        for header in headers {
            let name = header.prefix { $0 != ":" }
            let value = header.dropFirst(name.count + 1).drop { $0 == " " }
            text += "\(name): \(value)\r\n"
        }
        var bytes = Array((text + "\r\n").utf8)
        guard let body else { return bytes }
        let content: [UInt8]
        if body.hasPrefix("@") {
            let path = String(body.dropFirst())
            do {
                content = try FileContents.read(path, limit: MessageFile.maximumSize, regularOnly: regularOnly)
            } catch {
                throw ValidationError("--body \(body): cannot read: \(error)")
            }
        } else {
            content = Array(body.utf8)
        }
        var previous: UInt8 = 0
        for byte in content {
            if byte == 0x0A && previous != 0x0D { bytes.append(0x0D) }
            bytes.append(byte)
            previous = byte
        }
        if let last = bytes.last, last != 0x0A { bytes += [0x0D, 0x0A] }
        return bytes
    }
}
