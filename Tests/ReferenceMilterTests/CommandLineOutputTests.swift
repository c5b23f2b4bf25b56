import Foundation
import MilterTestSupport
import Testing

/// What the built `reference-milter` prints for a user: terminal-safe dumps.
@Suite struct CommandLineOutputTests {
    static func run(_ arguments: [String], input: Data? = nil) async throws -> ProcessResult {
        try await ProcessRunner.run(
            TestPaths.builtProduct("reference-milter"), arguments, input: input,
            environment: DaemonTests.cleanEnvironment, timeout: .seconds(30))
    }

    /// A subject that would retitle the terminal and a body that would clear it are printed as escapes.
    @Test func dumpEscapesControlCharacters() async throws {
        let text = "Subject: \u{1B}]0;pwned\u{07}\r\n\r\nHi\u{1B}[2J there\r\n"
        let result = try await Self.run(["dump", "-"], input: Data(text.utf8))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("\u{1B}") && !result.stdout.contains("\u{07}"))
        #expect(result.stdout.contains(#"Subject: \x1B]0;pwned\x07"#), "\(result.stdout)")
        #expect(result.stdout.contains(#"Hi\x1B[2J there"#), "\(result.stdout)")
    }
}
