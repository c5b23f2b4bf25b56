import ArgumentParser
import Logging
import MailMessage
import MilterProtocol
import NIOConcurrencyHelpers
import ReferenceMilter

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `test FILE.eml [SENDER] [RECIPIENTS...]`: one message through the real protocol path.
///
/// The classifier runs in an embedded server on 127.0.0.1; the message goes to it over TCP as
/// Postfix would send it. The exit status is the verdict.
struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Classify one message through the milter protocol and print the decision.",
        discussion: "Exit status: 0 accept, 1 reject, 2 usage error, 3 tempfail, 4 discard, 5 quarantine.")

    @Argument(help: "The message file (.eml).")
    var file: String

    @Argument(help: "The envelope sender (default: the From address).")
    var sender: String?

    @Argument(help: "The envelope recipients (default: the To addresses).")
    var recipients: [String] = []

    @Flag(help: "Print the result as JSON.")
    var json = false

    @OptionGroup var classification: ClassificationOptions

    func run() async throws {
        guard let bytes = FileManager.default.contents(atPath: file) else {
            throw CLIError.usage("cannot read \(file)")
        }
        let raw = RawMessage(parsing: Array(bytes))
        let outcome = try await TestRun.run(
            message: raw, envelope: envelope(for: raw), classifier: try classification.classifier(),
            options: try classification.protocolOptions(),
            classifierTimeout: .fromSeconds(classification.classifierTimeout))
        print(json ? try outcome.json() : outcome.text())
        throw ExitCode(outcome.exitStatus)
    }

    private func envelope(for raw: RawMessage) -> PostfixScript.Envelope {
        func addresses(_ name: String) -> [String] {
            raw.fields(named: name).flatMap { AddressList(parsing: $0.valueBytes[...]).mailboxes.map(\.address) }
                .filter { !$0.isEmpty }
        }
        let from = sender ?? addresses("From").first ?? "sender@example.com"
        let to = recipients.isEmpty ? addresses("To") : recipients
        return PostfixScript.Envelope(sender: from, recipients: to.isEmpty ? ["recipient@example.com"] : to)
    }
}
