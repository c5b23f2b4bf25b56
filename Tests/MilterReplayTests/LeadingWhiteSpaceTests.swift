import Foundation
import MilterClient
import MilterProtocol
import Testing

@testable import MilterReplayKit

/// A file whose first line starts with white space goes to the milter as Postfix sends it (`smtpd` puts an empty
/// line before that line: see InteropTests' PostfixLeadingWhitespaceTests): no header fields, all of it as body.
struct LeadingWhiteSpaceTests {
    static let message =
        " folded\r\n\tmore\r\nFrom: a@example.org\r\nTo: b@example.org\r\nX-Milter-Expect: reject\r\n\r\nbody\r\n"

    @Test func theWholeMessageIsBodyAndNoLineIsLost() throws {
        let loader = CorpusLoader(from: nil, recipients: [], manifest: nil, defaultExpectation: nil)
        let entry = try loader.entry("lead.eml", bytes: Array(Self.message.utf8))
        #expect(entry.message.headerFields.isEmpty)
        #expect(entry.message.body == Array(Self.message.utf8))
        // The lines that look like fields are body: no envelope and no expectation from them.
        #expect(entry.message.sender.address == "<>")
        #expect(entry.message.recipients.map(\.address.string) == ["<postmaster@example.test>"])
        #expect(entry.expected == nil)
    }

    /// A leading mbox `From ` line is left out as for any file; the lines after it are body.
    @Test func afterAnMboxLineAndWithLF() throws {
        let text = "From a@example.org Mon Dec  7 13:00:00 2026\n\tlead\nSubject: s\n\nbody\n"
        let loader = CorpusLoader(
            from: "s@example.org", recipients: ["r@example.org"], manifest: nil, defaultExpectation: .accept)
        let entry = try loader.entry("mbox.eml", bytes: Array(text.utf8))
        #expect(entry.message.headerFields.isEmpty)
        #expect(entry.message.body == Array("\tlead\nSubject: s\n\nbody\n".utf8))
        #expect(entry.expected == .accept)
    }

    @Test func aFieldFirstIsReadAsBefore() throws {
        let loader = CorpusLoader(from: nil, recipients: [], manifest: nil, defaultExpectation: nil)
        let entry = try loader.entry("plain.eml", bytes: Array("Subject: s\r\n folded\r\n\r\nbody\r\n".utf8))
        #expect(entry.message.headerFields.map(\.name) == ["Subject"])
        #expect(entry.message.body == Array("body\r\n".utf8))
    }

    /// A scenario's `headers: {eml}`, `body: {eml}` and `message: {eml}` read the file the same way.
    @Test func aScenarioReadsTheFileAsTheMTADoes() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lead-\(UUID().uuidString).eml")
        try Data(Self.message.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try ScenarioContent.headerFields(.eml(file.path)).isEmpty)
        #expect(try ScenarioContent.body(.eml(file.path)) == Array(Self.message.utf8))
    }

    /// The binary warns, naming the file and why, and sends no HEADER: the whole message goes in BODY.
    @Test func theBinaryWarnsAndSendsItAsBody() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lead-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("lead.eml")
        try Data(Self.message.utf8).write(to: file)
        let result = try await ReplayBinary.run(["--verbose", file.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stderr.contains(
                "milter-replay: warning: \(file.path): its first line starts with white space, so Postfix and "
                    + "Sendmail read no header fields in it: all of it is sent as the body (the 3 fields after that "
                    + "line too)"), "\(result.stderr)")
        #expect(result.stderr.contains("X-Milter-Expect line is body too and is not read"), "\(result.stderr)")
        #expect(!result.stderr.contains("a@example.org"), "\(result.stderr)")
        let lines = try #require(VerboseTranscriptTests.transcripts(result.stdout).first).transcript.lines
        #expect(!lines.contains { $0.contains("MTA HEADER") }, "\(lines)")
        // The transcript shows the start of a long BODY: the first line of the message and what follows it.
        let body = #"" folded\r\n\tmore\r\nFrom: a@example.org\r\n"#
        #expect(lines.contains { $0.contains(#"BODY data=\#(Self.message.utf8.count)B:\#(body)"#) }, "\(lines)")
    }
}
