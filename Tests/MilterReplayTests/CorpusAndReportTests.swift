import Foundation
import MilterClient
import MilterProtocol
import Testing

@testable import MilterReplayKit

/// The .eml corpus (envelope fallback, expectations, manifest) and the report pieces of `replay`.
struct CorpusAndReportTests {
    static func write(_ files: [String: String]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, text) in files {
            let url = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return directory
    }

    static let files = [
        "b.eml":
            "Return-Path: <bounce@example.org>\r\nFrom: a@example.org\r\nTo: x@example.net, \"Y\" <y@example.net>\r\n"
            + "Cc: x@example.net\r\nX-Milter-Expect: reject\r\n\r\nbody\r\n",
        "a.eml": "From: \"Alice\" <alice@example.org>\r\nSubject: no recipients\r\n\r\nbody\r\n",
        "sub/c.eml": "From: c@example.org\r\nTo: c@example.net\r\nX-Milter-Expect: banana\r\n\r\n",
        "notes.txt": "not mail",
    ]

    @Test func directoriesAreWalkedInSortedOrderForEmlFiles() throws {
        let directory = try Self.write(Self.files)
        defer { try? FileManager.default.removeItem(at: directory) }
        let names = try CorpusFiles.list([directory.path]).map { URL(fileURLWithPath: $0).lastPathComponent }
        #expect(names == ["a.eml", "b.eml", "c.eml"])
        #expect(throws: CorpusError.self) { try CorpusFiles.list([directory.appendingPathComponent("none").path]) }
    }

    @Test func envelopeFromHeadersAndExpectationStripped() throws {
        let directory = try Self.write(Self.files)
        defer { try? FileManager.default.removeItem(at: directory) }
        let loader = CorpusLoader(from: nil, recipients: [], manifest: nil, defaultExpectation: nil)
        let entries = try loader.load([
            directory.appendingPathComponent("b.eml").path, directory.appendingPathComponent("a.eml").path,
        ])
        #expect(entries[0].message.sender.address == "<bounce@example.org>")
        #expect(entries[0].message.recipients.map(\.address.string) == ["<x@example.net>", "<y@example.net>"])
        #expect(entries[0].expected == .reject)
        #expect(!entries[0].message.headerFields.contains { $0.hasName("X-Milter-Expect") })
        #expect(entries[1].message.sender.address == "<alice@example.org>")
        #expect(entries[1].message.recipients.map(\.address.string) == ["<postmaster@example.test>"])
        #expect(entries[1].expected == nil)
        #expect(throws: CorpusError.self) { try loader.load([directory.appendingPathComponent("sub/c.eml").path]) }
    }

    @Test func commandLineWinsOverTheHeader() throws {
        let directory = try Self.write(Self.files.merging(["m.manifest": "# comment\nb.eml accept\n"]) { $1 })
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("b.eml").path
        let manifest = try Manifest(path: directory.appendingPathComponent("m.manifest").path)
        let byManifest = CorpusLoader(
            from: "s@x.org", recipients: ["r@y.org"], manifest: manifest, defaultExpectation: nil)
        let entry = try byManifest.load([path])[0]
        #expect(entry.expected == .accept)
        #expect(entry.message.sender.address == "<s@x.org>")
        #expect(entry.message.recipients.map(\.address.string) == ["<r@y.org>"])
        let byExpect = CorpusLoader(from: nil, recipients: [], manifest: manifest, defaultExpectation: .discard)
        #expect(try byExpect.load([path])[0].expected == .discard)
    }

    /// A manifest with CRLF line ends (written on Windows) is read line by line: it was one line, so a first line
    /// that is a comment hid every expectation after it, and a one-line file's verdict read `accept\r\n`.
    @Test func aManifestWithCRLFLineEndsIsReadLineByLine() throws {
        let directory = try Self.write(
            Self.files.merging(["m.manifest": "# comment\r\nb.eml discard\r\n\r\na.eml reject\r\n"]) { $1 })
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = try Manifest(path: directory.appendingPathComponent("m.manifest").path)
        #expect(manifest.expectation(for: directory.appendingPathComponent("b.eml").path) == .discard)
        #expect(manifest.expectation(for: directory.appendingPathComponent("a.eml").path) == .reject)
        let bad = try Self.write(["m.manifest": "b.eml maybe\u{1B}[2J\r\n"])
        defer { try? FileManager.default.removeItem(at: bad) }
        let error = #expect(throws: CorpusError.self) {
            try Manifest(path: bad.appendingPathComponent("m.manifest").path)
        }
        #expect(
            error?.description.hasSuffix(
                ":1: unknown verdict 'maybe\\x1B[2J'; use accept, reject, tempfail, discard or quarantine") == true,
            "\(String(describing: error))")
    }

    @Test func badManifestLineIsRefused() throws {
        let directory = try Self.write(["m.manifest": "b.eml maybe\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: CorpusError.self) { try Manifest(path: directory.appendingPathComponent("m.manifest").path) }
    }

    @Test(arguments: [
        (["connect:{daemon_name}=mx", "mail:i=Q1", "eom:{msg_id}=<a=b>"], true),
        (["nostage:i=1"], false), (["mail:i"], false), (["mail:=x"], false),
    ])
    func macroOptions(arguments: [String], valid: Bool) throws {
        guard valid else {
            #expect(throws: MacroOverrides.Failure.self) { try MacroOverrides.parse(arguments) }
            return
        }
        let overrides = try MacroOverrides.parse(arguments)
        #expect(overrides[.connect]?.first?.name == "{daemon_name}")
        #expect(overrides[.mail]?.first?.value == "Q1")
        #expect(overrides[.eom]?.first?.value == "<a=b>")
    }

    @Test func summaryExitCodesAndJUnitEscaping() {
        let entry = CorpusEntry(
            path: "x/<a&b>.eml",
            message: MilterMessage(sender: EnvelopeAddress(mailbox: ""), recipients: [], headerFields: [], body: []),
            expected: .reject)
        let accepted = TransactionResult(steps: [], verdict: .accept)
        let outcome = MessageOutcome(
            sequence: 0, entry: entry, result: accepted, connectError: nil, connectionFindings: [],
            latency: .milliseconds(3))
        var summary = RunSummary()
        summary.add(outcome)
        #expect(summary.exitCode == ExitCodes.mismatch)
        #expect(summary.mismatches == ["x/<a&b>.eml: expected reject, got accept"])
        let unreachable = MessageOutcome(
            sequence: 1, entry: entry, result: nil, connectError: "refused", connectionFindings: [], latency: .zero)
        summary.add(unreachable)
        #expect(summary.exitCode == ExitCodes.connectFailed)
        let xml = JUnitReport.document([outcome, unreachable], seconds: 1)
        #expect(xml.contains("tests=\"2\" failures=\"1\" errors=\"1\""))
        #expect(xml.contains("&lt;a&amp;b&gt;.eml #0"))
    }

    /// A warning (a rule broken that the MTA lets go) is labelled as one in every report, and still fails the run.
    @Test func warningsAreLabelledInEveryReportAndStillFailTheRun() {
        let entry = CorpusEntry(
            path: "skip.eml",
            message: MilterMessage(sender: EnvelopeAddress(mailbox: ""), recipients: [], headerFields: [], body: []),
            expected: nil)
        let violation = MilterProtocolError(.replyNotAllowedHere, commandByte: MilterReply.ID.skip.rawValue)
        let warning = Finding(.protocolViolation(violation), step: .mail, severity: .warning)
        let error = Finding(.timeout(.seconds(1)), step: .endOfMessage)
        let result = TransactionResult(steps: [], verdict: .accept, findings: [warning, error])
        let outcome = MessageOutcome(
            sequence: 0, entry: entry, result: result, connectError: nil, connectionFindings: [],
            latency: .milliseconds(1))
        let text = TextReport.line(outcome)
        #expect(text.contains("WARNING replyNotAllowedHere at \(MilterCommand.ID.mail)"), "\(text)")
        #expect(text.contains("FINDING timeout at \(MilterCommand.ID.endOfMessage): no reply within 1 s"), "\(text)")
        #expect(!text.contains("at \(MilterCommand.ID.endOfMessage): at"), "the step once: \(text)")
        let json = JSONReport.line(outcome, includeMessage: false)
        #expect(json.contains(#""severity":"warning""#), "\(json)")
        #expect(json.contains(#""severity":"error""#), "\(json)")
        #expect(
            JUnitReport.document([outcome], seconds: 1).contains(
                "warning replyNotAllowedHere at \(MilterCommand.ID.mail)"))
        var summary = RunSummary()
        summary.add(outcome)
        #expect(summary.exitCode == ExitCodes.mismatch)
    }

    /// A row shows the first 50 modifications and counts the rest: 10,000 ADDHEADERs made one row a megabyte.
    /// `--json` lists every one.
    @Test func aRowShowsAtMostFiftyModificationsAndJSONAll() throws {
        let entry = CorpusEntry(
            path: "many.eml",
            message: MilterMessage(sender: EnvelopeAddress(mailbox: ""), recipients: [], headerFields: [], body: []),
            expected: nil)
        func outcome(_ count: Int) -> MessageOutcome {
            var result = TransactionResult(steps: [], verdict: .accept)
            result.modifications = (0..<count).map {
                .addHeader(HeaderField(name: "X-N", value: MilterString("v\($0)")))
            }
            return MessageOutcome(
                sequence: 0, entry: entry, result: result, connectError: nil, connectionFindings: [],
                latency: .milliseconds(1))
        }
        let row = TextReport.line(outcome(120))
        #expect(row.contains(#"ADDHEADER name="X-N" value="v49", … and 70 more modifications  1.000 ms"#), "\(row)")
        #expect(!row.contains(#"value="v50""#), "\(row)")
        #expect(row.components(separatedBy: "ADDHEADER").count == 51, "\(row)")
        #expect(TextReport.line(outcome(51)).hasSuffix(#"value="v49", … and 1 more modification  1.000 ms"#))
        let fifty = TextReport.line(outcome(50))
        #expect(fifty.contains(#"value="v49"  1.000 ms"#) && !fifty.contains("more modification"), "\(fifty)")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(JSONReport.line(outcome(120), includeMessage: false).utf8))
                as? [String: Any])
        let listed = try #require(json["modifications"] as? [String])
        #expect(listed.count == 120)
        #expect(listed.last == #"ADDHEADER name="X-N" value="v119""#)
    }
}
