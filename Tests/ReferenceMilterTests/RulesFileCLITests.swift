import Foundation
import MilterTestSupport
import Testing

/// Rules files through the built `reference-milter`: an error is a configuration error (exit 2) in every
/// command, never `test`'s REJECT (1), and names the file, line and column; `check-config` checks a file and
/// prints the built-in rules.
@Suite struct RulesFileCLITests {
    static func run(_ arguments: [String]) async throws -> ProcessResult {
        try await ProcessRunner.run(
            TestPaths.builtProduct("reference-milter"), arguments, environment: DaemonTests.cleanEnvironment,
            timeout: .seconds(30))
    }

    /// Writes `text` to a fresh file and returns its path.
    static func file(_ text: String, in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("rules-\(UUID().uuidString.prefix(8)).txt").path
        try TemporaryFile.write(Array(text.utf8), to: path)
        return path
    }

    @Test(arguments: [
        (
            "subject contains \"x\" => accept\nsubject matches \"[\" => reject",
            "line 2, column 17: bad regular expression"
        ),
        ("subject contains \"x\" => tempfail \"550 5.7.1 no\"", "line 1, column 34: tempfail takes a 4xx reply code"),
        ("subject contains \"x\" => reject \"451 4.7.1 later\"", "line 1, column 32: reject takes a 5xx reply code"),
        ("subjet contains \"x\" => reject", "line 1, column 1: unknown field 'subjet'"),
        ("always => add-header \"\" \"y\", accept", "line 1, column 22: a header name cannot be empty"),
        ("always => add-recipient \"<a b@c>\", accept", "line 1, column 25: not one envelope address"),
        (
            "always => accept\nalways => add-header \"X-A\" \"x\\n \", accept",
            "line 2, column 28: a line break in a header value must be followed by a space or a tab (a fold)"
        ),
    ])
    func aRulesErrorExitsTwoInEveryCommandNamingFileLineAndColumn(text: String, error: String) async throws {
        let directory = try Scratch.makeDirectory("rules")
        defer { Scratch.remove(directory) }
        let rules = try Self.file(text, in: directory)
        try await Self.expectErrorInEveryCommand(rules, "\(rules): \(error)", in: directory)
    }

    /// `check-config`, `test` and `daemon` with `rules` each exit 2 with `error` on standard error.
    static func expectErrorInEveryCommand(_ rules: String, _ error: String, in directory: URL) async throws {
        let message = try Self.file("Subject: x\r\n\r\nHi\r\n", in: directory)
        for arguments in [
            ["check-config", rules], ["test", "--config", rules, message],
            ["daemon", "--config", rules, "127.0.0.1:0"],
        ] {
            let result = try await Self.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(error), "\(arguments): \(result.stderr)")
        }
    }

    /// A file that is not UTF-8 is an error naming the first bad byte, in every command: decoded with
    /// replacement characters, `caf\xE9` became `caf\u{FFFD}` and the rule silently matched something else.
    @Test func aFileNotValidUTF8IsAnErrorNamingLineAndColumn() async throws {
        let directory = try Scratch.makeDirectory("rules")
        defer { Scratch.remove(directory) }
        let rules = directory.appendingPathComponent("latin1.txt").path
        let text =
            Array("always => add-header \"X-A\" \"1\"\nsubject contains \"caf".utf8) + [0xE9]
            + Array("\" => reject \"550 5.7.1 x\"\nalways => accept\n".utf8)
        try TemporaryFile.write(text, to: rules)
        try await Self.expectErrorInEveryCommand(
            rules, "\(rules): line 2, column 22: not valid UTF-8 (byte 0xE9)", in: directory)
    }

    @Test func aMissingFileSaysSo() async throws {
        for arguments in [
            ["check-config", "/nonexistent/rules"], ["test", "--config", "/nonexistent/rules", "x.eml"],
        ] {
            let result = try await Self.run(arguments)
            #expect(result.status == 2)
            #expect(result.stderr.contains("/nonexistent/rules: cannot read: No such file or directory"), "\(result)")
            #expect(!result.stderr.contains("line 0"))
        }
    }

    /// The built-in rules print as a file that `check-config` accepts, and `test` gives the same verdicts with it.
    @Test func theBuiltInRulesPrintAsAValidFile() async throws {
        let directory = try Scratch.makeDirectory("rules")
        defer { Scratch.remove(directory) }
        let printed = try await Self.run(["check-config", "--print-builtin"])
        #expect(printed.status == 0)
        #expect(printed.stdout.contains("subject contains \"[reject]\""))
        let rules = try Self.file(printed.stdout, in: directory)
        let checked = try await Self.run(["check-config", rules])
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(checked.stdout == "\(rules): OK (5 rules)\n")
        let message = try Self.file("Subject: [reject] x\r\n\r\nHi\r\n", in: directory)
        #expect(try await Self.run(["test", "--config", rules, message]).status == 1)
    }

    /// The OK line counts in words (`1 rule`, not `1 rules`) and names the file as the errors do, its control
    /// characters escaped.
    @Test func theOKLineCountsRulesAndEscapesTheName() async throws {
        let directory = try Scratch.makeDirectory("rules")
        defer { Scratch.remove(directory) }
        let one = try Self.file("always => accept\n", in: directory)
        #expect(try await Self.run(["check-config", one]).stdout == "\(one): OK (1 rule)\n")
        let oddName = directory.appendingPathComponent("odd\u{1B}]0;x\u{07}.txt").path
        try TemporaryFile.write(Array("always => accept\nalways => reject\n".utf8), to: oddName)
        let odd = try await Self.run(["check-config", oddName])
        #expect(odd.status == 0, "\(odd.stderr)")
        #expect(odd.stdout == "\(directory.path)/odd\\x1B]0;x\\x07.txt: OK (2 rules)\n", "\(odd.stdout)")
    }

    /// An error names the file as the OK line does, its line feed escaped: the message stays one line.
    @Test func anErrorEscapesALineFeedInTheName() async throws {
        let directory = try Scratch.makeDirectory("rules")
        defer { Scratch.remove(directory) }
        let oddName = directory.appendingPathComponent("odd\nname.txt").path
        try TemporaryFile.write(Array("subjet contains \"x\" => reject\n".utf8), to: oddName)
        let result = try await Self.run(["check-config", oddName])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(
            result.stderr
                == "reference-milter: \(directory.path)/odd\\nname.txt: line 1, column 1: unknown field 'subjet'\n",
            "\(result.stderr)")
    }

    /// A file without a rule (empty, or comments only) loads, exit 0, but with a warning on standard error.
    @Test(arguments: ["", "# nothing yet\n\n"])
    func aFileWithNoRulesLoadsWithAWarning(text: String) async throws {
        let directory = try Scratch.makeDirectory("rules")
        defer { Scratch.remove(directory) }
        let rules = try Self.file(text, in: directory)
        let result = try await Self.run(["check-config", rules])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "\(rules): OK (0 rules)\n")
        #expect(result.stderr.contains("\(rules): warning: the file has no rules"), "\(result.stderr)")
        // One rule: no warning.
        let one = try await Self.run(["check-config", try Self.file("always => accept\n", in: directory)])
        #expect(one.stderr.isEmpty, "\(one.stderr)")
    }

    @Test(arguments: [["check-config"], ["check-config", "x", "--print-builtin"]])
    func checkConfigTakesAFileOrPrintBuiltin(arguments: [String]) async throws {
        let result = try await Self.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains("give a FILE to check, or --print-builtin"))
    }
}
