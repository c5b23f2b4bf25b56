import ArgumentParser
import MailMessage
import MilterClient
import MilterProtocol
import NIOCore
import ReferenceMilter
import _MilterCommandLine
import _MilterSystem

/// `test FILE.eml [SENDER] [RECIPIENTS...]`: one message through the real protocol path.
///
/// The classifier runs in a server in this process, on a unix-domain socket of its own; MilterClient
/// plays Postfix (``MTAProfile/postfix``) through one message to it. The exit status is the verdict.
struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Classify one message through the milter protocol and print the decision.",
        discussion: """
            Exit status: 0 accept, 1 reject, 2 usage or configuration error, 3 tempfail, 4 discard, 5 quarantine. \
            A header field, envelope address, HELO or client name or macro value whose frame is too large for the \
            milter's frame limit (--max-frame-size) is not sent: the verdict is TEMPFAIL (exit status 3), the one an \
            MTA would apply when the milter drops the connection, and its reason names the frame (not its value). \
            With --header and --body, the message is built on the command line and the arguments are SENDER and \
            RECIPIENTS.
            """)

    @Argument(
        help: "The message file (.eml); - reads standard input. Not with --header and --body (a usage error).",
        completion: .file(extensions: ["eml"]))
    var file: String?

    @Argument(
        help: "The envelope sender (default: the file's leading X-Envelope-From, else Return-Path, else From, else <>)."
    )
    var sender: String?

    @Argument(
        help: """
            The envelope recipients (default: the file's leading X-Envelope-To fields, else To, Cc and Bcc, else \
            postmaster@example.test).
            """)
    var recipients: [String] = []

    @Flag(help: "Print the result as JSON.")
    var json = false

    @OptionGroup var classification: ClassificationOptions

    @OptionGroup(title: "SMTP client") var smtpClient: ClientOptions

    @OptionGroup(title: "Message built on the command line")
    var built: MessageOptions

    func validate() throws {
        if file == nil, !built.buildsMessage { throw ValidationError("give a message FILE, or --header and --body") }
        // With --header or --body the first argument is SENDER: a file named there would silently be the sender.
        if built.buildsMessage, let input = ([file, sender].compactMap(\.self) + recipients).first(where: Self.isInput)
        {
            throw ValidationError(
                "--header and --body build the message: give no message FILE ('\(TerminalText.escapingControls(input))'"
                    + " is one); the arguments are SENDER and RECIPIENTS")
        }
        try Self.validateEnvelope(envelopeArguments)
    }

    /// SENDER and RECIPIENTS as given: with --header or --body, no FILE comes first.
    private var envelopeArguments: (sender: String?, recipients: [String]) {
        guard built.buildsMessage else { return (sender, recipients) }
        let arguments = [file, sender].compactMap(\.self) + recipients
        return (arguments.first, Array(arguments.dropFirst()))
    }

    /// An address an MTA could send in MAIL or RCPT, checked as `milter-replay --from` and `--rcpt` are: no
    /// recipient is empty, and angle brackets only enclose. The values are not repeated: they may be personal data.
    private static func validateEnvelope(_ envelope: (sender: String?, recipients: [String])) throws {
        if let sender = envelope.sender, !EnvelopeArgument.isEnvelopeAddress(sender, allowingNull: true) {
            throw ValidationError(
                "SENDER is not one envelope address: write it bare (a@example.org) or in angle brackets, "
                    + "without a display name or spaces outside quotes; <> or an empty value is the null sender")
        }
        for recipient in envelope.recipients where !EnvelopeArgument.isEnvelopeAddress(recipient, allowingNull: false) {
            throw ValidationError(
                "a RECIPIENT is empty or not one envelope address: write it bare (b@example.org) or in angle "
                    + "brackets, without a display name or spaces outside quotes")
        }
    }

    /// Whether an argument names a message to read: `-` (standard input) or a file that exists.
    private static func isInput(_ argument: String) -> Bool {
        var status = stat()
        return argument == "-" || (stat(argument, &status) == 0 && status.st_mode & S_IFMT != S_IFDIR)
    }

    /// The message's name for messages (control characters escaped), its bytes, and its envelope from the
    /// arguments: with --header or --body, no FILE comes first.
    private func input() throws -> (name: String, bytes: [UInt8], sender: String?, recipients: [String]) {
        if built.buildsMessage {
            let envelope = envelopeArguments
            return ("the message built on the command line", try built.message(), envelope.sender, envelope.recipients)
        }
        let file = file ?? "-"
        do {
            let name = file == "-" ? "standard input" : TerminalText.escapingControls(file, keepingLineFeeds: false)
            return (name, try MessageFile.read(file), sender, recipients)
        } catch {
            throw CLIError.usage(error.description)
        }
    }

    /// What the server of the run is told: the program's server defaults (``MilterConfiguration/server``) with
    /// the options given applied, as `daemon` would serve with.
    func settings(
        _ server: ServerConfiguration
    ) throws -> (options: ProtocolOptions, classifierTimeout: TimeAmount, memory: MemoryBudget) {
        (
            try classification.protocolOptions(defaults: server.protocolOptions),
            classification.classifierTimeout(default: server.classifierTimeout), server.memory
        )
    }

    func run() async throws {
        let classifier = try classification.classifier()
        let input = try input()
        // SENDER and RECIPIENTS, then the envelope `milter-replay --export-eml` recorded, then the header fields.
        let (message, warning): (MilterMessage, String?)
        // A first line that starts with white space: Postfix reads no header fields, all of it is body.
        let (raw, setAside) = LeadingWhiteSpace.split(input.bytes)
        if let setAside {
            MilterCommandLine.printError(
                "\(CLIContext.configuration.name): warning: \(input.name): \(LeadingWhiteSpace.warning(for: setAside))")
        }
        do {
            (message, warning) = try EnvelopeFallback.message(
                raw, recordedOr: input.sender, recipients: input.recipients)
        } catch {
            throw CLIError.usage("\(input.name): \(error)")
        }
        if let field = EnvelopeNUL.field(of: message) {
            throw CLIError.usage(
                "\(input.name): input error: \(field) contains NUL (value redacted); the MTA refuses it before the "
                    + "milter sees it")
        }
        if let warning {
            MilterCommandLine.printError(
                "\(CLIContext.configuration.name): warning: \(input.name): \(warning) (give SENDER and RECIPIENTS)")
        }
        let run: TestRun
        do {
            let settings = try settings(CLIContext.configuration.server)
            run = try await TestRun.run(
                message: message, classifier: classifier, options: settings.options,
                classifierTimeout: settings.classifierTimeout, client: smtpClient.client, memory: settings.memory)
        } catch let refused as FrameTooLarge {
            // The MTA's tempfail, printed as any verdict is (--json's object too), the reason naming the frame.
            run = TestRun(refused: refused)
        }
        print(json ? try run.json() : run.text())
        throw ExitCode(run.exitStatus)
    }
}
