import Foundation
import MilterTestSupport
import Testing

/// An envelope address with a NUL cannot be sent to the milter: the MTA refuses it itself, and the message is an
/// input error, not the milter's reject (`--expect reject` does not pass).
struct EnvelopeNULTests {
    @Test(arguments: [
        ("From: a@example.org\r\nTo: b\0ob@example.net\r\n", "an envelope recipient contains NUL"),
        ("From: a@exa\0mple.org\r\nTo: bob@example.net\r\n", "the envelope sender contains NUL"),
    ])
    func aNULInAnAddressIsAnInputError(headers: String, words: String) async throws {
        let message = Data((headers + "Subject: x\r\n\r\nbody\r\n").utf8)
        for format in [[], ["--json"]] {
            let result = try await ProcessRunner.run(
                TestPaths.builtProduct("milter-replay"), format + ["--expect", "reject", "-"], input: message,
                timeout: .seconds(30))
            #expect(result.status == 3, "\(result.stdout) \(result.stderr)")
            #expect(result.stdout.contains("input error: \(words) (value redacted)"), "\(result.stdout)")
            #expect(!result.stdout.contains("no valid recipients"), "\(result.stdout)")
            #expect(!result.stdout.contains("embeddedNUL"), "\(result.stdout)")
            #expect(!result.stdout.contains("example.net"), "\(result.stdout)")
        }
    }
}
