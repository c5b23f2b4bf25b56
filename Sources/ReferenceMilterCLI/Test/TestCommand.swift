import ArgumentParser
import MailMessage
import MilterClient
import MilterProtocol
import ReferenceMilter
import _MilterCommandLine

/// `test FILE.eml [SENDER] [RECIPIENTS...]`: one message through the real protocol path.
///
/// The classifier runs in a server in this process, on a unix-domain socket of its own; MilterClient
/// plays Postfix (``MTAProfile/postfix``) through one message to it. The exit status is the verdict.
struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Classify one message through the milter protocol and print the decision.",
        discussion: "Exit status: 0 accept, 1 reject, 2 usage error, 3 tempfail, 4 discard, 5 quarantine.")

    @Argument(help: "The message file (.eml); - reads standard input.", completion: .file(extensions: ["eml"]))
    var file: String

    @Argument(help: "The envelope sender (default: Return-Path, else From, else <>).")
    var sender: String?

    @Argument(help: "The envelope recipients (default: To, Cc and Bcc, else postmaster@example.test).")
    var recipients: [String] = []

    @Flag(help: "Print the result as JSON.")
    var json = false

    @OptionGroup var classification: ClassificationOptions

    @OptionGroup(title: "SMTP client") var smtpClient: ClientOptions

    func run() async throws {
        let classifier = try classification.classifier()
        let bytes: [UInt8]
        do { bytes = try MessageFile.read(file) } catch { throw CLIError.usage(error.description) }
        let (message, warning) = EnvelopeFallback.message(
            RawMessage(parsing: bytes), from: sender, recipients: recipients)
        if let warning {
            let input = file == "-" ? "standard input" : file
            MilterCommandLine.printError(
                "\(CLIContext.configuration.name): warning: \(input): \(warning) (give SENDER and RECIPIENTS)")
        }
        let run = try await TestRun.run(
            message: message, classifier: classifier, options: try classification.protocolOptions(),
            classifierTimeout: .fromSeconds(classification.classifierTimeout), client: smtpClient.client)
        print(json ? try run.json() : run.text())
        throw ExitCode(run.exitStatus)
    }
}
