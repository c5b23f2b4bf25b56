import Foundation
import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

@testable import MilterReplayKit

/// A message written by `--pcap FILE --export-eml DIR` replays with the envelope the export recorded
/// (`X-Envelope-From` with its ESMTP arguments, `X-Envelope-To`), and those fields are not sent to the milter.
struct ExportedEnvelopeTests {
    static let exported =
        "X-Envelope-From: <sender@example.com> size=255 BODY=8BITMIME\r\n"
        + "X-Envelope-To: <rcpt@example.org>\r\nX-Envelope-To: delete-me@example.org\r\n"
        + "X-Capture-Incomplete: frames were cut or missing in the capture\r\n"
        + "From: Sender <header-from@example.com>\r\nTo: <header-to@example.org>\r\n"
        + "X-Envelope-To: <kept@example.org>\r\nSubject: s\r\n\r\nbody\r\n"

    static func entry(_ text: String, from: String? = nil, recipients: [String] = []) throws -> CorpusEntry {
        let loader = CorpusLoader(from: from, recipients: recipients, manifest: nil, defaultExpectation: nil)
        return try loader.entry("m.eml", bytes: Array(text.utf8))
    }

    @Test func theRecordedEnvelopeIsUsedAndItsFieldsAreNotSent() throws {
        let message = try Self.entry(Self.exported).message
        #expect(message.sender.address == "<sender@example.com>")
        #expect(message.sender.arguments.map(\.string) == ["size=255", "BODY=8BITMIME"])
        #expect(message.recipients.map(\.address.string) == ["<rcpt@example.org>", "<delete-me@example.org>"])
        #expect(message.recipients.allSatisfy { $0.arguments.isEmpty })
        // Only the fields that open the header are the export's; the same name further down is the message's.
        #expect(message.headerFields.map(\.name) == ["From", "To", "X-Envelope-To", "Subject"])
    }

    @Test func fromAndRcptOnTheCommandLineStillWin() throws {
        let message = try Self.entry(Self.exported, from: "cli@example.net", recipients: ["r@example.net"]).message
        #expect(message.sender.address == "<cli@example.net>" && message.sender.arguments.isEmpty)
        #expect(message.recipients.map(\.address.string) == ["<r@example.net>"])
        #expect(!message.headerFields.prefix(1).contains { $0.hasName("X-Envelope-From") })
        let onlyRcpt = try Self.entry(Self.exported, recipients: ["r@example.net"]).message
        #expect(onlyRcpt.sender.address == "<sender@example.com>")
        #expect(onlyRcpt.recipients.map(\.address.string) == ["<r@example.net>"])
    }

    @Test func aNullSenderAndNoRecordedRecipientFallBackAsUsual() throws {
        let message = try Self.entry("X-Envelope-From: <>\r\nFrom: a@example.org\r\nCc: c@example.org\r\n\r\n").message
        #expect(message.sender.address == "<>" && message.sender.arguments.isEmpty)
        #expect(message.recipients.map(\.address.string) == ["<c@example.org>"])
        #expect(message.headerFields.map(\.name) == ["From", "Cc"])
    }

    @Test(arguments: [
        ("X-Envelope-From: <a@example.org\r\n", "the address is not one"),
        ("X-Envelope-From: <a b@example.org>\r\n", "the address is not one"),
        ("X-Envelope-To: <>\r\n", "the address is empty (<>)"),
        ("X-Envelope-To: a@example.org>\r\n", "the address is not one"),
        ("X-Envelope-To: <x<y>@example.org>\r\n", "the address is not one"),
        // A display name: the first word used to be taken as the address (<Alice>), the rest as its arguments.
        ("X-Envelope-From: Alice <alice@example.org>\r\n", "word 1 after the address is not an ESMTP argument"),
        ("X-Envelope-From: \"Alice Smith\" <alice@example.org>\r\n", "word 1 after the address"),
        ("X-Envelope-From: Alice Smith <alice@example.org> SIZE=1\r\n", "word 2 after the address"),
        ("X-Envelope-To: bob smith@example.org\r\n", "word 1 after the address"),
        ("X-Envelope-To: <b@example.org> NOTIFY=\r\n", "word 1 after the address"),
        ("X-Envelope-To: <b@example.org> -X=1\r\n", "word 1 after the address"),
        ("X-Envelope-To: <b@example.org> A=b=c\r\n", "word 1 after the address"),
    ])
    func aRecordedFieldThatIsNotAnAddressIsAnErrorWithoutTheValue(field: String, wrong: String) throws {
        let error = try #require(throws: CorpusError.self) { try Self.entry(field + "From: a@example.org\r\n\r\n") }
        let name = String(field.prefix { $0 != ":" })
        #expect(
            error.description.hasPrefix("m.eml: \(name) must hold one envelope address, then any ESMTP arguments: "),
            "\(error)")
        #expect(error.description.contains(wrong), "\(error)")
        #expect(error.description.hasSuffix("; value not shown"), "\(error)")
        #expect(!error.description.contains("example.org") && !error.description.contains("Alice"), "\(error)")
    }

    /// ESMTP arguments as MTAs send them are kept, `AUTH=<>` (RFC 4954) and an xtext `ORCPT` among them.
    @Test func esmtpArgumentsAreKept() throws {
        let message = try Self.entry(
            "X-Envelope-From: <a@example.org> SIZE=12 BODY=8BITMIME AUTH=<> SMTPUTF8 ENVID=x+2Bq\r\n"
                + "X-Envelope-To: <b@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.org\r\n\r\n"
        ).message
        #expect(
            message.sender.arguments.map(\.string) == [
                "SIZE=12", "BODY=8BITMIME", "AUTH=<>", "SMTPUTF8", "ENVID=x+2Bq",
            ])
        #expect(
            message.recipients.first?.arguments.map(\.string) == [
                "NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;b@example.org",
            ])
    }

    /// The walkthrough's case, through the binary: a display name in `X-Envelope-From` is a usage error (exit 2)
    /// naming the file and the field, not the address; it was sent as `MAIL address="<Alice>"`.
    @Test func aDisplayNameInTheRecordedSenderIsAUsageError() async throws {
        let directory = try Scratch.makeDirectory("exported-envelope")
        defer { Scratch.remove(directory) }
        let file = directory.appendingPathComponent("m.eml").path
        try TemporaryFile.write(
            Array("X-Envelope-From: Alice <alice@secret.example>\r\nSubject: s\r\n\r\nHi\r\n".utf8), to: file)
        let result = try await ReplayBinary.run(["--verbose", file])
        #expect(result.status == 2, "\(result.stdout) \(result.stderr)")
        #expect(
            result.stderr.contains("\(file): X-Envelope-From must hold one envelope address, then any ESMTP arguments"),
            "\(result.stderr)")
        #expect(!result.stderr.contains("secret") && !result.stderr.contains("Alice"), "\(result.stderr)")
        #expect(!result.stdout.contains("MAIL address"), "\(result.stdout)")
    }

    /// The message number is padded to the width of its session's message count (12 in stream 0, 2 and 1 in the
    /// others), so that the names sort in the messages' order: `message-01` ... `message-12`, not `message-1`,
    /// `message-10`, `message-11`.
    @Test func exportedFileNamesArePaddedSoTheySort() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let capture = ReplayBinary.fixture("pcap/postfix-cmilter-lo.pcap")
        let export = try await ReplayBinary.run(["--pcap", capture, "--export-eml", directory.path])
        #expect(export.status == 0, "\(export.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        let streamZero = (1...12).map { "stream-0-message-\($0 < 10 ? "0" : "")\($0).eml" }
        #expect(
            names == streamZero + ["stream-1-message-1.eml", "stream-1-message-2.eml", "stream-3-message-1.eml"],
            "\(names)")
    }

    /// The reviewer's case: a message of the cmilter capture whose envelope names a recipient no header names.
    @Test func anExportedMessageReplaysWithItsRecordedEnvelope() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let capture = ReplayBinary.fixture("pcap/postfix-cmilter-lo.pcap")
        let export = try await ReplayBinary.run(["--pcap", capture, "--export-eml", directory.path])
        #expect(export.status == 0, "\(export.stderr)")
        let file = directory.appendingPathComponent("stream-0-message-10.eml").path
        let result = try await ReplayBinary.run(["--verbose", file])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try #require(VerboseTranscriptTests.transcripts(result.stdout).first).transcript.lines
        #expect(lines.contains { $0.hasSuffix(#"MAIL address="<sender@example.com>" arguments=["size=255"]"#) })
        #expect(lines.contains { $0.hasSuffix(#"RCPT address="<delete-me@example.org>" arguments=[]"#) }, "\(lines)")
        #expect(lines.contains { $0.contains(#"{mail_addr}": "sender@example.com""#) })
        #expect(!lines.contains { $0.contains(#"HEADER name="X-Envelope"#) })
        // The reference milter asks for HDR_LEADSPC: the value goes as it is in the message.
        #expect(lines.contains { $0.hasSuffix(#"HEADER name="To" value=" <rcpt@example.org>""#) }, "\(lines)")
    }
}
