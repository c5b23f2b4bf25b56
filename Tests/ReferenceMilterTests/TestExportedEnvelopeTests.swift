import Foundation
import MilterTestSupport
import Testing

/// `reference-milter test` on a file written by `milter-replay --export-eml`: the leading `X-Envelope-From` and
/// `X-Envelope-To` fields are the envelope (after SENDER and RECIPIENTS), as milter-replay takes them, and are not
/// sent to the milter as header fields. `test` used to send them as headers and take the envelope from From and To.
@Suite struct TestExportedEnvelopeTests {
    static let exported =
        "X-Envelope-From: <recorded-sender@example.net> SIZE=100\r\nX-Envelope-To: <recorded-rcpt@example.net>\r\n"
        + "From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: hello\r\n\r\nHi\r\n"

    /// Rejects when the envelope is the recorded one, and tempfails when an export field reached the milter.
    static let rules = """
        header "X-Envelope-From" contains "@" => tempfail "451 4.7.1 export field sent"
        header "X-Envelope-To" contains "@" => tempfail "451 4.7.1 export field sent"
        sender is "recorded-sender@example.net" and recipient is "recorded-rcpt@example.net" => reject "550 5.7.1 recorded"
        always => accept

        """

    @Test func theRecordedEnvelopeIsUsedAndItsFieldsAreNotSent() async throws {
        let directory = try Scratch.makeDirectory("exported-envelope")
        defer { Scratch.remove(directory) }
        let message = directory.appendingPathComponent("m.eml").path
        let rules = directory.appendingPathComponent("rules.txt").path
        try TemporaryFile.write(Array(Self.exported.utf8), to: message)
        try TemporaryFile.write(Array(Self.rules.utf8), to: rules)
        let run = try await CLITests.run(["test", "--config", rules, message])
        #expect(run.status == 1, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("\"550 5.7.1 recorded\""), "\(run.stdout)")
        // SENDER and RECIPIENTS still win, each on its own.
        let given = try await CLITests.run(["test", "--config", rules, message, "cli@example.com"])
        #expect(given.status == 0, "\(given.stdout) \(given.stderr)")
    }

    @Test func aRecordedFieldThatIsNotAnAddressIsAUsageErrorWithoutTheValue() async throws {
        let directory = try Scratch.makeDirectory("exported-envelope")
        defer { Scratch.remove(directory) }
        let message = directory.appendingPathComponent("m.eml").path
        try TemporaryFile.write(
            Array("X-Envelope-To: <secret@example.net\r\nSubject: s\r\n\r\nHi\r\n".utf8), to: message)
        let run = try await CLITests.run(["test", message])
        #expect(run.status == 2, "\(run.stdout) \(run.stderr)")
        #expect(
            run.stderr.contains("X-Envelope-To must hold one envelope address, then any ESMTP arguments"),
            "\(run.stderr)")
        #expect(!run.stderr.contains("secret"), "\(run.stderr)")
    }

    /// A display name in the recorded envelope is a usage error naming the file and the field, not the value. The
    /// first word used to go as the address: `MAIL <Alice>` with the argument `<alice@secret.example>`, `RCPT <bob>`.
    @Test(arguments: [
        ("X-Envelope-From: Alice <alice@secret.example>\r\n", "X-Envelope-From"),
        ("X-Envelope-To: bob smith@secret.example\r\n", "X-Envelope-To"),
    ])
    func aDisplayNameInARecordedFieldIsAUsageError(field: String, name: String) async throws {
        let directory = try Scratch.makeDirectory("exported-envelope")
        defer { Scratch.remove(directory) }
        let message = directory.appendingPathComponent("m.eml").path
        try TemporaryFile.write(Array((field + "Subject: s\r\n\r\nHi\r\n").utf8), to: message)
        let run = try await CLITests.run(["test", "--json", message])
        #expect(run.status == 2, "\(run.stdout) \(run.stderr)")
        #expect(
            run.stderr.contains("\(message): \(name) must hold one envelope address, then any ESMTP arguments: word "),
            "\(run.stderr)")
        #expect(run.stderr.contains("value not shown"), "\(run.stderr)")
        #expect(!run.stderr.contains("secret") && !run.stderr.contains("Alice"), "\(run.stderr)")
        #expect(!run.stderr.contains("bob") && !run.stderr.contains("smith"), "\(run.stderr)")
        #expect(run.stdout.isEmpty, "\(run.stdout)")
    }
}
