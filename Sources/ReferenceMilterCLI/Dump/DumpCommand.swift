import ArgumentParser
import MailMessage
import ReferenceMilter
import _MilterCommandLine
import _MilterSystem

/// `dump FILE.eml [-H] [-b] [--html]`: the parsed headers and body parts of a message.
struct DumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump", abstract: "Print a message's decoded headers and body parts.",
        discussion: """
            Control characters other than line feed and tab are printed as escapes (\\x1B, \\r), a bare CR in \
            a header value too (the milter receives it, and a classifier sees it in MailInfo's header values).
            """)

    @Argument(help: "The message file (.eml); - reads standard input.", completion: .file(extensions: ["eml"]))
    var file: String

    @Flag(name: .customShort("H"), help: "Only the headers.")
    var headersOnly = false

    @Flag(name: .short, help: "Only the body parts.")
    var bodyOnly = false

    @Flag(help: "Render HTML parts as text.")
    var html = false

    func run() throws {
        let bytes: [UInt8]
        do { bytes = try MessageFile.read(file) } catch { throw CLIError.usage(error.description) }
        let message = MIMEMessage(parsing: bytes)
        let both = headersOnly == bodyOnly
        var output: [String] = []
        if headersOnly || both { output += MessageDump.headers(message) }
        if bodyOnly || both { output += MessageDump.parts(message, renderHTML: html) }
        print(TerminalText.escapingControls(output.joined(separator: "\n")))
    }
}
