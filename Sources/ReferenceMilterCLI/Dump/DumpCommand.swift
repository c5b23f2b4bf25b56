import ArgumentParser
import MailMessage
import ReferenceMilter
import _MilterCommandLine
import _MilterSystem

/// `dump FILE.eml [-H | -b] [--html]`: the parsed headers and body parts of a message.
struct DumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump", abstract: "Print a message's decoded headers and body parts.",
        discussion: """
            Control characters other than line feed and tab are printed as escapes (\\x1B, \\r), a bare CR in \
            a header value too (the milter receives it, and a classifier sees it in MailInfo's header values). \
            -H and -b exclude each other; without either, both are printed.
            """)

    @Argument(help: "The message file (.eml); - reads standard input.", completion: .file(extensions: ["eml"]))
    var file: String

    @Flag(name: .customShort("H"), help: "Only the headers (not with -b).")
    var headersOnly = false

    @Flag(name: .short, help: "Only the body parts (not with -H).")
    var bodyOnly = false

    @Flag(help: "Render HTML parts as text.")
    var html = false

    /// `-H -b` is a usage error naming both: it printed everything, as neither does, and the contradiction passed.
    func validate() throws {
        if headersOnly && bodyOnly {
            throw ValidationError("-H (only the headers) and -b (only the body parts) exclude each other: give one")
        }
    }

    func run() throws {
        let bytes: [UInt8]
        do { bytes = try MessageFile.read(file) } catch { throw CLIError.usage(error.description) }
        let message = MIMEMessage(parsing: bytes)
        let both = !headersOnly && !bodyOnly
        var output: [String] = []
        if headersOnly || both { output += MessageDump.headers(message) }
        if bodyOnly || both { output += MessageDump.parts(message, renderHTML: html) }
        print(TerminalText.escapingControls(output.joined(separator: "\n")))
    }
}
