import Foundation
import MilterTestSupport
import Testing

/// `reference-milter test` plays the same SMTP client as `milter-replay` (MilterClient's: 192.0.2.1,
/// client.example.test), and takes the same `--helo`, `--client-addr` and `--client-name`; a message whose
/// headers give no envelope gets milter-replay's, with a warning.
@Suite struct TestClientOptionTests {
    /// A rules file that rejects exactly the client and HELO given, so that the exit status (1) shows what the
    /// milter saw.
    static func rejecting(helo: String, address: String, name: String, in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("client-rules.txt").path
        let rule =
            "helo is \"\(helo)\" and client is \"\(address)\" and client is \"\(name)\" => reject \"550 5.7.1 seen\"\n"
        try TemporaryFile.write(Array(rule.utf8), to: path)
        return path
    }

    static let message = Data("From: a@example.org\r\nTo: b@example.org\r\nSubject: x\r\n\r\nHi\r\n".utf8)

    @Test func theDefaultClientIsMilterReplays() async throws {
        let directory = try Scratch.makeDirectory("client")
        defer { Scratch.remove(directory) }
        let rules = try Self.rejecting(
            helo: "client.example.test", address: "192.0.2.1", name: "client.example.test", in: directory)
        let result = try await CommandLineOutputTests.run(["test", "--config", rules, "-"], input: Self.message)
        #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("550 5.7.1 seen"))
    }

    @Test func theClientOptionsAreSent() async throws {
        let directory = try Scratch.makeDirectory("client")
        defer { Scratch.remove(directory) }
        let rules = try Self.rejecting(
            helo: "helo.example.net", address: "198.51.100.7", name: "mx.example.net", in: directory)
        let result = try await CommandLineOutputTests.run(
            [
                "test", "--config", rules, "--helo", "helo.example.net", "--client-addr", "198.51.100.7",
                "--client-name", "mx.example.net", "-",
            ], input: Self.message)
        #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
    }

    @Test func aMessageWithoutEnvelopeHeadersGetsMilterReplaysAndAWarning() async throws {
        let result = try await CommandLineOutputTests.run(
            ["test", "--json", "-"], input: Data("Subject: x\r\n\r\nHi\r\n".utf8))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stderr.contains(
                "warning: standard input: no sender or recipient in its header fields: sent with MAIL FROM:<> and "
                    + "RCPT TO:<postmaster@example.test>"), "\(result.stderr)")
    }

    /// A HELO name or client name with a line break is a usage error in `test` too (the options are milter-replay's).
    @Test func aHELONameWithALineBreakIsRefused() async throws {
        let result = try await CommandLineOutputTests.run(
            ["test", "--helo", "a\nb", "-"], input: Data("Subject: x\r\n\r\nHi\r\n".utf8))
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("--helo cannot hold a line break or a NUL"), "\(result.stderr)")
    }

    /// The warning names what was missing, and a bounce's own `Return-Path: <>` is not made up: it said "no
    /// sender or recipient" when only the recipient was missing, and warned of MAIL FROM:<> on a bounce.
    @Test(arguments: [
        (
            "From: a@example.org\r\nSubject: x\r\n\r\nHi\r\n",
            "no recipient in its header fields: sent with RCPT TO:<postmaster@example.test>"
        ),
        ("To: b@example.org\r\nSubject: x\r\n\r\nHi\r\n", "no sender in its header fields: sent with MAIL FROM:<>"),
        ("Return-Path: <>\r\nTo: b@example.org\r\n\r\nHi\r\n", nil),
    ])
    func theWarningNamesWhatWasMissing(message: String, warning: String?) async throws {
        let result = try await CommandLineOutputTests.run(["test", "--json", "-"], input: Data(message.utf8))
        #expect(result.status == 0, "\(result.stderr)")
        if let warning {
            #expect(result.stderr.contains("warning: standard input: \(warning)"), "\(result.stderr)")
        } else {
            #expect(!result.stderr.contains("warning:"), "\(result.stderr)")
        }
    }
}

/// `reference-milter test` builds a message with `--header` and `--body`; the arguments are then the envelope.
@Suite struct TestBuiltMessageTests {
    @Test func headerAndBodyBuildTheMessage() async throws {
        let rejected = try await CommandLineOutputTests.run([
            "test", "--header", "Subject: [reject] x", "--body", "hi", "a@example.org", "b@example.org",
        ])
        #expect(rejected.status == 1, "\(rejected.stderr)")
        #expect(!rejected.stderr.contains("warning"), "the arguments are the envelope: \(rejected.stderr)")
        let accepted = try await CommandLineOutputTests.run([
            "test", "--json", "--header", "From: a@example.org", "--header", "To: b@example.org", "--body", "hi",
        ])
        #expect(accepted.status == 0, "\(accepted.stderr)")
        #expect(accepted.stdout.contains("\"verdict\" : \"accept\""), "\(accepted.stdout)")
    }

    @Test func withoutFileOrBuiltMessageItIsAUsageError() async throws {
        let result = try await CommandLineOutputTests.run(["test"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("give a message FILE, or --header and --body"))
    }
}
