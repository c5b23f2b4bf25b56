import Foundation
import MilterTestSupport
import Testing

/// `reference-milter test`'s envelope, as milter-replay's: SENDER and RECIPIENTS that are not one envelope address
/// are usage errors (they went out as `MAIL FROM:<bad addr>` and the verdict was printed), and an envelope address
/// from the file's header fields holding a NUL, which the MTA refuses before the milter sees it, is an input error
/// (it was printed as the milter's `REJECT (decided at BODYEOB)`, exit 1). No value is repeated.
@Suite struct TestEnvelopeArgumentTests {
    @Test(arguments: [
        (["secret addr@example.com"], "SENDER is not one envelope address"),
        (["<secret@example.com"], "SENDER is not one envelope address"),
        (["a@example.com", ""], "a RECIPIENT is empty or not one envelope address"),
        (["a@example.com", "b@example.org", "Secret <s@example.org>"], "a RECIPIENT is empty"),
    ])
    func anArgumentThatIsNotOneAddressIsAUsageError(envelope: [String], message: String) async throws {
        let file = TestPaths.fixtures("eml/plain-ascii.eml").path
        for arguments in [[file] + envelope, ["--header", "Subject: hi"] + envelope] {
            let run = try await CLITests.run(["test"] + arguments)
            #expect(run.status == 2, "\(arguments): \(run.stdout) \(run.stderr)")
            #expect(run.stderr.contains(message), "\(run.stderr)")
            #expect(!run.stderr.contains("ecret"), "\(run.stderr)")
        }
    }

    @Test func theNullSenderAndBracketedAddressesAreTaken() async throws {
        let file = TestPaths.fixtures("eml/plain-ascii.eml").path
        let run = try await CLITests.run(["test", file, "<>", "<b@example.org>", "c@example.org"])
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
    }

    @Test(arguments: [
        ("From: a@example.com\r\nTo: b\u{0}ob@example.net\r\n", "an envelope recipient contains NUL"),
        ("From: a\u{0}secret@example.com\r\nTo: bob@example.net\r\n", "the envelope sender contains NUL"),
    ])
    func aNULInTheEnvelopeIsAnInputErrorNotAVerdict(header: String, message: String) async throws {
        let directory = try Scratch.makeDirectory("envelope-nul")
        defer { Scratch.remove(directory) }
        let path = directory.appendingPathComponent("m.eml").path
        try TemporaryFile.write(Array((header + "Subject: x\r\n\r\nhi\r\n").utf8), to: path)
        let run = try await CLITests.run(["test", path])
        #expect(run.status == 2, "\(run.stdout) \(run.stderr)")
        #expect(run.stderr.contains("input error: \(message) (value redacted)"), "\(run.stderr)")
        #expect(!run.stdout.contains("REJECT"), "\(run.stdout)")
        #expect(!run.stderr.contains("secret") && !run.stderr.contains("ob@"), "\(run.stderr)")
    }
}
