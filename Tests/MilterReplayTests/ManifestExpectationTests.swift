import Foundation
import MilterTestSupport
import Testing

/// `.eml` replay's manifest takes expectations beyond the verdict (reply code, enhanced code and text, headers
/// added, present and absent): met on the embedded reference milter, and each unmet one a mismatch in words.
struct ManifestExpectationTests {
    /// A scratch directory with the reference milter's accepted and rejected messages, and `manifest` beside them.
    static func corpus(_ manifest: String) throws -> URL {
        let directory = try Scratch.makeDirectory("manifest-expect")
        try "From: <a@example.org>\nTo: <b@example.org>\nSubject: hello\n\nbody\n".write(
            to: directory.appendingPathComponent("ham.eml"), atomically: true, encoding: .utf8)
        try "From: <a@example.org>\nTo: <b@example.org>\nSubject: [reject] offer\n\nbody\n".write(
            to: directory.appendingPathComponent("spam.eml"), atomically: true, encoding: .utf8)
        try manifest.write(to: directory.appendingPathComponent("m.manifest"), atomically: true, encoding: .utf8)
        return directory
    }

    static func run(_ directory: URL) async throws -> ProcessResult {
        try await ReplayBinary.run([
            "--manifest", directory.appendingPathComponent("m.manifest").path,
            directory.appendingPathComponent("ham.eml").path, directory.appendingPathComponent("spam.eml").path,
        ])
    }

    @Test func expectationsThatHoldPass() async throws {
        let directory = try Self.corpus(
            """
            ham.eml   accept  header-added=X-Reference-Milter:checked header-present=X-Reference-Milter header-absent=X-Spam
            spam.eml  reject  reply-code=550 reply-enhanced=5.7.1 reply-text~"^rejected by .* rule$"  # "#" in a comment
            """)
        defer { Scratch.remove(directory) }
        let result = try await Self.run(directory)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("mismatches: 0"), "\(result.stdout)")
    }

    @Test func eachUnmetExpectationIsAMismatch() async throws {
        let directory = try Self.corpus(
            """
            ham.eml   accept  header-added=X-Spam:yes header-present=X-Spam header-absent=X-Reference-Milter
            spam.eml  reject  reply-code=554 reply-enhanced=5.7.0 reply-text="no thanks"
            """)
        defer { Scratch.remove(directory) }
        let result = try await Self.run(directory)
        #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
        for line in [
            "mismatches: 6",
            "ham.eml: add-header X-Spam: expected ADDHEADER X-Spam 'xxx'; got ADDHEADER X-Reference-Milter 'xxxxxxx'",
            "ham.eml: header present X-Spam: no X-Spam field",
            "ham.eml: header absent X-Reference-Milter: present (1 field(s))",
            "spam.eml: reply code: expected 554, got 550", "spam.eml: reply enhanced code: expected 5.7.0, got 5.7.1",
            "spam.eml: reply text: expected 'xx xxxxxx', got 'xxxxxxxx xx xxxxxxx xxxx'",
        ] {
            #expect(result.stdout.contains(line), "\(line)\n\(result.stdout)")
        }
    }

    /// `--json` lists the unmet expectations of each message (`failedExpectations`), empty when all were met.
    @Test func theJSONOutputListsUnmetExpectations() async throws {
        let directory = try Self.corpus(
            """
            ham.eml   accept  header-present=X-Reference-Milter
            spam.eml  reject  reply-code=554
            """)
        defer { Scratch.remove(directory) }
        let result = try await ReplayBinary.run([
            "--json", "--manifest", directory.appendingPathComponent("m.manifest").path,
            directory.appendingPathComponent("ham.eml").path, directory.appendingPathComponent("spam.eml").path,
        ])
        #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
        let messages = result.stdout.split(separator: "\n").filter { $0.contains(#""type":"message""#) }
        let ham = try #require(messages.first { $0.contains("ham.eml") })
        let spam = try #require(messages.first { $0.contains("spam.eml") })
        #expect(ham.contains(#""failedExpectations":[]"#), "\(ham)")
        #expect(spam.contains(#""failedExpectations":["reply code: expected 554, got 550"]"#), "\(spam)")
        // The verdict itself was as expected.
        #expect(spam.contains(#""match":true"#), "\(spam)")
    }

    @Test(arguments: [
        ("ham.eml accept header-addd=X", "m.manifest:1: word 3: unknown expectation 'xxxxxx-xxxx'"),
        ("ham.eml accept reply-text=\"open", "m.manifest:1: a quote is not closed"),
        ("ham.eml accept reply-text~\"(\"", "m.manifest:1: word 3: reply-text~'(' is not a valid regular expression"),
        ("ham.eml accept reply-code=550 reply-code=5", "m.manifest:1: word 4: reply-code '9' is not a code from 200"),
        ("ham.eml accept header-present~X", "m.manifest:1: word 3: only reply-text takes '~REGEX', not header-present"),
        ("ham.eml accept header-whatever~X", "m.manifest:1: word 3: unknown expectation 'xxxxxx-xxxxxxxx'"),
    ])
    func aBadExpectationIsAUsageError(line: String, words: String) async throws {
        let directory = try Self.corpus(line + "\n")
        defer { Scratch.remove(directory) }
        let result = try await Self.run(directory)
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains(words), "\(result.stderr)")
    }
}
