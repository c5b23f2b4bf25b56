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
        "X-Envelope-From: <a@example.org\r\n", "X-Envelope-From: <a b@example.org>\r\n",
        "X-Envelope-To: <>\r\n", "X-Envelope-To: a@example.org>\r\n", "X-Envelope-To: <x<y>@example.org>\r\n",
    ])
    func aRecordedFieldThatIsNotAnAddressIsAnErrorWithoutTheValue(field: String) throws {
        let error = try #require(throws: CorpusError.self) { try Self.entry(field + "From: a@example.org\r\n\r\n") }
        let name = String(field.prefix { $0 != ":" })
        #expect(error.description == "m.eml: \(name) must hold one envelope address, then any ESMTP arguments")
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
