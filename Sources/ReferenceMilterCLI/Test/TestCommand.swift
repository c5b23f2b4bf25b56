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

    @Argument(help: "The envelope sender (default: the From address).")
    var sender: String?

    @Argument(help: "The envelope recipients (default: the To addresses).")
    var recipients: [String] = []

    @Flag(help: "Print the result as JSON.")
    var json = false

    @OptionGroup var classification: ClassificationOptions

    func run() async throws {
        let classifier = try classification.classifier()
        let bytes: [UInt8]
        do { bytes = try MessageFile.read(file) } catch { throw CLIError.usage(error.description) }
        let run = try await TestRun.run(
            message: message(RawMessage(parsing: bytes)), classifier: classifier,
            options: try classification.protocolOptions(),
            classifierTimeout: .fromSeconds(classification.classifierTimeout))
        print(json ? try run.json() : run.text())
        throw ExitCode(run.exitStatus)
    }

    /// The message with its envelope: the arguments, else the From and To addresses, else placeholders.
    private func message(_ raw: RawMessage) -> MilterMessage {
        func addresses(_ name: String) -> [String] {
            raw.fields(named: name).flatMap { AddressList(parsing: $0.valueBytes[...]).mailboxes.map(\.address) }
                .filter { !$0.isEmpty }
        }
        let from = sender ?? addresses("From").first ?? "sender@example.com"
        let to = recipients.isEmpty ? addresses("To") : recipients
        return MilterMessage(
            sender: EnvelopeAddress(mailbox: from),
            recipients: (to.isEmpty ? ["recipient@example.com"] : to).map { EnvelopeAddress(mailbox: $0) },
            content: raw)
    }
}
