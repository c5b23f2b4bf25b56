import MilterTestSupport
import Testing

/// Each command's `--help` ends with examples and states the defaults; `--version` answers.
struct HelpTests {
    @Test(arguments: [["--help"], ["replay", "--help"], ["help", "replay"], ["record", "--help"], ["-h"]])
    func helpEndsWithExamples(arguments: [String]) async throws {
        let result = try await ReplayBinary.run(arguments).check("milter-replay \(arguments)")
        let examples = try #require(result.stdout.range(of: "EXAMPLES:"), "\(result.stdout)")
        #expect(result.stdout[examples.upperBound...].contains("milter-replay "))
        #expect(!result.stdout[examples.upperBound...].contains("OPTIONS:"))
    }

    @Test func replayHelpStatesTheDefaultsAndExitCodes() async throws {
        let text = try await ReplayBinary.run(["replay", "--help"]).check("milter-replay replay --help").stdout
        // The help is wrapped to the terminal's width: compare with single spaces.
        let help = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for text in [
            "30 s", "300 s", "(default: postfix)", "(default: 6)", "(default: 1)", "3 could not connect",
            "(default 0: close right after QUIT",
            // Every exit code docs/milter-replay.md gives: an input error is 3 too, a capture replay's 1 differs.
            "or an input error (a message the MTA would not offer to the milter",
            "With --pcap: 1 a session differs, is not replayable or was not compared",
        ] {
            #expect(help.contains(text), "\(text)")
        }
    }

    @Test func versionAnswers() async throws {
        let result = try await ReplayBinary.run(["--version"]).check("milter-replay --version")
        #expect(result.stdout.split(separator: "\n").count == 1)
        #expect(result.stdout.first?.isNumber == true, "\(result.stdout)")
    }
}
