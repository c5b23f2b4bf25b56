import Foundation
import MilterTestSupport
import Testing

/// Runs the built `reference-milter` binary, as a user would.
@Suite struct CLITests {
    static let fixtures = TestPaths.fixtures("eml")

    static func run(_ arguments: [String]) async throws -> ProcessResult {
        try await ProcessRunner.run(TestPaths.builtProduct("reference-milter"), arguments)
    }

    static func message(subject: String) throws -> String {
        let path = NSTemporaryDirectory() + "cli-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).eml"
        let text = "From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: \(subject)\r\n\r\nHi\r\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(arguments: [
        ("hello", Int32(0), "ACCEPT"), ("[reject] x", 1, "REJECT"), ("[tempfail] x", 3, "TEMPFAIL"),
        ("[discard] x", 4, "DISCARD"), ("[quarantine] x", 5, "QUARANTINE"),
    ])
    func testExitStatusIsTheVerdict(subject: String, status: Int32, word: String) async throws {
        let path = try Self.message(subject: subject)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try await Self.run(["test", path])
        #expect(run.status == status)
        #expect(run.stdout.hasPrefix("4TESTQUEUEID: \(word) ("))
    }

    @Test func testSendsAFileWhoseFirstLineStartsWithWhiteSpaceAsPostfixDoes() async throws {
        // Postfix reads no header fields in it: the Subject line is body, so the subject rule does not reject.
        let path = NSTemporaryDirectory() + "cli-lead-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).eml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let text = " folded nothing\r\nFrom: alice@example.com\r\nSubject: [reject] x\r\n\r\nHi\r\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let run = try await Self.run(["test", path, "sender@example.com", "rcpt@example.org"])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.hasPrefix("4TESTQUEUEID: ACCEPT ("), "\(run.stdout)")
        #expect(run.stderr.contains("its first line starts with white space"), "\(run.stderr)")
        #expect(!run.stderr.contains("[reject]"), "a header value in a warning: \(run.stderr)")
    }

    @Test func testPrintsModificationsAndJSON() async throws {
        let path = try Self.message(subject: "hello")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let text = try await Self.run(["test", path, "sender@example.com", "rcpt@example.org"])
        #expect(text.stdout.contains("add header X-Reference-Milter: checked"))
        let json = try await Self.run(["test", "--json", path])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["verdict"] as? String == "accept")
        #expect(object?["modifications"] as? [String] == ["add header X-Reference-Milter: checked"])
    }

    @Test func testUsesARulesFile() async throws {
        let message = try Self.message(subject: "invoice")
        let rules = NSTemporaryDirectory() + "rules-\(getpid()).txt"
        try Data("subject contains \"invoice\" => reject \"550 5.7.1 no invoices\"\n".utf8)
            .write(to: URL(fileURLWithPath: rules))
        defer {
            try? FileManager.default.removeItem(atPath: message)
            try? FileManager.default.removeItem(atPath: rules)
        }
        let run = try await Self.run(["test", "--config", rules, message])
        #expect(run.status == 1)
        #expect(run.stdout.contains("\"550 5.7.1 no invoices\""))
    }

    /// A header field over --max-frame-size: `test` exited 2 with `Connection reset by peer`. Later it exited 3
    /// with the reason on standard error only and nothing on standard output, no JSON object with --json.
    @Test func testNamesAHeaderFieldOverTheFrameLimit() async throws {
        let path = try Self.message(subject: String(repeating: "x", count: 200_000))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try await Self.run(["test", path])
        #expect(run.status == 3, "\(run.stderr)")
        #expect(
            run.stdout.hasPrefix(
                "4TESTQUEUEID: TEMPFAIL (the HEADER frame of header field 3 'Subject' (value not shown)"),
            "\(run.stdout.prefix(500))")
        #expect(
            run.stdout.contains("200010 bytes, over the milter's limit of 65535 (--max-frame-size"), "\(run.stdout)")
        #expect(!run.stdout.contains("xxx") && !run.stderr.contains("xxx"))
        let raised = try await Self.run(["test", "--max-frame-size", "300000", path])
        #expect(raised.status == 0, "\(raised.stderr)")
    }

    /// `test --json` on a message over the frame limit printed nothing on standard output (exit 3): a script got
    /// no JSON object. It gets the verdict's object, the reason naming the frame.
    @Test func testJSONGivesTheVerdictOfAFrameOverTheLimit() async throws {
        let path = try Self.message(subject: String(repeating: "x", count: 200_000))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try await Self.run(["test", "--json", path])
        #expect(run.status == 3, "\(run.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        #expect(object?["verdict"] as? String == "tempfail", "\(run.stdout.prefix(500))")
        #expect(object?["stage"] as? String == "HEADER", "\(run.stdout.prefix(500))")
        let reason = object?["reason"] as? String ?? ""
        #expect(reason.hasPrefix("the HEADER frame of header field 3 'Subject' (value not shown)"), "\(reason)")
        #expect(reason.contains("over the milter's limit of 65535 (--max-frame-size"), "\(reason)")
        #expect(object?["modifications"] as? [String] == [] && object?["warnings"] as? [String] == [])
        #expect(!run.stdout.contains("xxx"))
    }

    /// An envelope address, HELO name or client name over --max-frame-size (in its own frame or in the MACRO frame
    /// that carries it): `test` exited 2 with `Connection reset by peer ... frameTooLarge, command 'D'`. `LONG` stands
    /// for 70,000 x's, `PATH` for the message.
    @Test(arguments: [
        (["test", "PATH", "LONG@example.com"], "the MACRO frame before MAIL, its longest value macro '{mail_addr}'"),
        (
            ["test", "PATH", "a@example.com", "b@example.org", "LONG@example.org"],
            "the MACRO frame before RCPT, its longest value macro '{rcpt_addr}'"
        ),
        (["test", "--helo", "LONG", "PATH"], "the HELO frame of the HELO name"),
        (["test", "--client-name", "LONG", "PATH"], "the MACRO frame before CONNECT, its longest value macro '_'"),
    ])
    func testNamesAnEnvelopeOrClientFieldOverTheFrameLimit(arguments: [String], frame: String) async throws {
        let path = try Self.message(subject: "hello")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let long = String(repeating: "x", count: 70_000)
        let arguments = arguments.map {
            $0 == "PATH" ? path : $0.replacingOccurrences(of: "LONG", with: long)
        }
        let run = try await Self.run(arguments)
        #expect(run.status == 3, "\(run.stderr.prefix(500))")
        #expect(
            run.stdout.hasPrefix("4TESTQUEUEID: TEMPFAIL (\(frame) (value not shown) has a payload of "),
            "\(run.stdout.prefix(500))")
        #expect(run.stdout.contains("over the milter's limit of 65535 (--max-frame-size"))
        #expect(!run.stdout.contains("xxx") && !run.stderr.contains("xxx"), "\(run.stderr.prefix(500))")
        #expect(!run.stderr.contains("reset by peer"), "\(run.stderr.prefix(500))")
        let raised = try await Self.run(["test", "--max-frame-size", "300000"] + arguments.dropFirst())
        #expect(raised.status == 0, "\(raised.stderr.prefix(500))")
    }

    @Test(arguments: [["test"], ["test", "/nonexistent.eml"], ["frobnicate"], ["daemon", "not an address"]])
    func usageErrorsExitWithTwo(arguments: [String]) async throws {
        #expect(try await Self.run(arguments).status == 2)
    }

    /// With --header or --body the arguments are SENDER and RECIPIENTS: a file there is a usage error, not a sender.
    @Test func aFileWithABuiltMessageIsAUsageError() async throws {
        let file = Self.fixtures.appendingPathComponent("plain-ascii.eml").path
        for arguments in [
            ["test", "--header", "Subject: x", file], ["test", "--body", "hi", "alice@example.com", file],
            ["test", "--header", "Subject: x", "-"],
        ] {
            let run = try await Self.run(arguments)
            #expect(run.status == 2, "\(arguments): \(run.stdout)")
            #expect(run.stdout.isEmpty, "\(arguments): \(run.stdout)")
            #expect(run.stderr.contains("--header and --body build the message: give no message FILE"), "\(run.stderr)")
        }
        let envelope = try await Self.run(["test", "--header", "Subject: x", "alice@example.com", "bob@example.org"])
        #expect(envelope.status == 0, "\(envelope.stderr)")
    }

    @Test func dumpPrintsHeadersPartsAndHTMLAsText() async throws {
        let file = Self.fixtures.appendingPathComponent("html-only.eml").path
        let all = try await Self.run(["dump", file, "--html"])
        #expect(all.status == 0)
        #expect(all.stdout.contains("Subject: HTML only"))
        #expect(all.stdout.contains("--- part 1: text/html"))
        #expect(!all.stdout.contains("<p>"))
        let headers = try await Self.run(["dump", "-H", file])
        #expect(headers.stdout.contains("Subject: HTML only") && !headers.stdout.contains("--- part"))
        let body = try await Self.run(["dump", "-b", file])
        #expect(!body.stdout.contains("Subject:") && body.stdout.contains("<p>"))
    }

    /// A CRLF message's body lines end as lines do, as its header lines do; a bare CR is still shown as `\r`.
    @Test func dumpShowsCRLFAsLineEnds() async throws {
        let run = try await Self.run(["dump", Self.fixtures.appendingPathComponent("plain-ascii.eml").path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("Hello Bob,\nthis is a plain message.\n"), "\(run.stdout)")
        #expect(!run.stdout.contains("\\r"), "\(run.stdout)")
        let path = try Self.message(subject: "bare CR")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("Subject: bare CR\r\n\r\nover\rwritten\r\nend\r\n".utf8).write(to: URL(fileURLWithPath: path))
        let bare = try await Self.run(["dump", "-b", path])
        #expect(bare.stdout.contains("over\\rwritten\nend\n"), "\(bare.stdout)")
    }

    /// A bare CR in a header value is no line end: the milter receives it, and dump showed `Subject: ab`.
    @Test func dumpShowsABareCRInAHeaderValue() async throws {
        let path = try Self.message(subject: "bare CR")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("From: a@example.com\nSubject: a\rb [reject]\n =?utf-8?q?caf=C3=A9?=\n\nbody\rmore\n".utf8)
            .write(to: URL(fileURLWithPath: path))
        let run = try await Self.run(["dump", path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("Subject: a\\rb [reject] café\n"), "\(run.stdout)")
        #expect(run.stdout.contains("body\\rmore"), "\(run.stdout)")
    }

    @Test func dumpDecodesEncodedSubjects() async throws {
        let run = try await Self.run(["dump", "-H", Self.fixtures.appendingPathComponent("encoded-subject-q.eml").path])
        #expect(run.status == 0)
        #expect(run.stdout.contains("Subject: Café crème and more"))
    }
}
