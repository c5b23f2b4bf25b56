import Foundation
import MailMessage
import MilterTestSupport
import ReferenceMilter
import Testing

/// A bare CR in a header value reaches the milter (Postfix passes the value as received) and the classifier
/// sees it where dump shows it: `Subject: a\rb` was `mail.subject == "ab"` while dump printed `a\rb`.
@Suite struct BareCRHeaderTests {
    @Test func aClassifierSeesTheBareCR() {
        let mail = MailInfo(headerFields: [
            RawHeaderField(name: "Subject", value: " a\rb"), RawHeaderField(name: "X-Folded", value: " a\r\n\tb\rc"),
        ])
        #expect(mail.subject == "a\rb")
        #expect(mail.header("X-Folded") == "a\tb\rc")
        #expect(mail.headers("Subject") == ["a\rb"])
    }

    /// Through the real path: the file, the played MTA, the HEADER frame, the server's MailInfo, a rules file;
    /// and dump shows the same value.
    @Test func testAndDumpAgreeOnTheValue() async throws {
        let directory = try Scratch.makeDirectory("bare-cr")
        defer { Scratch.remove(directory) }
        let message = directory.appendingPathComponent("m.eml").path
        let rules = directory.appendingPathComponent("rules.txt").path
        try TemporaryFile.write(
            Array("From: a@example.com\r\nTo: b@example.org\r\nSubject: a\rb\r\n\r\nHi\r\n".utf8), to: message)
        let text = """
            subject is "ab" => tempfail "451 4.7.1 the bare CR was dropped"
            subject matches "^a\\rb$" => reject "550 5.7.1 the bare CR is kept"

            """
        try TemporaryFile.write(Array(text.utf8), to: rules)
        let run = try await CLITests.run(["test", "--config", rules, message])
        #expect(run.status == 1, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("\"550 5.7.1 the bare CR is kept\""), "\(run.stdout)")
        let dump = try await CLITests.run(["dump", "-H", message])
        #expect(dump.stdout.contains("Subject: a\\rb\n"), "\(dump.stdout)")
    }
}
