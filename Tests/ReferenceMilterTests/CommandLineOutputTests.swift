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

    /// `-H` and `-b` together are a usage error naming both; they printed the whole message, as neither does.
    @Test func dumpRefusesHeadersOnlyWithBodyOnly() async throws {
        let result = try await Self.run(["dump", "-H", "-b", "-"], input: Data("Subject: x\r\n\r\nHi\r\n".utf8))
        #expect(result.status == 2, "\(result.stdout)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        #expect(result.stderr.contains("-H (only the headers) and -b (only the body parts) exclude each other"))
    }
}

/// `--help` ends with examples and states the defaults; `--version`; completions offer files; the daemon's last
/// log line says it stopped.
@Suite struct CommandLineHelpTests {
    static func run(_ arguments: [String]) async throws -> ProcessResult {
        try await CommandLineOutputTests.run(arguments)
    }

    @Test(arguments: [
        (["--help"], "daemon"), (["daemon", "--help"], "daemon"), (["help", "daemon"], "daemon"),
        (["test", "-h"], "test"), (["dump", "--help"], "dump"), (["check-config", "--help"], "check-config"),
    ])
    func helpEndsWithExamples(arguments: [String], subcommand: String) async throws {
        let result = try await Self.run(arguments)
        #expect(result.status == 0)
        let examples = try #require(result.stdout.range(of: "\nEXAMPLES:\n"), "\(result.stdout)")
        let tail = result.stdout[examples.upperBound...]
        #expect(tail.contains("  reference-milter \(subcommand)"), "\(tail)")
        #expect(!tail.contains("OPTIONS:"))
    }

    @Test func helpStatesTheDefaults() async throws {
        let expected: [([String], [String])] = [
            (
                ["daemon", "--help"],
                [
                    "(default: 127.0.0.1:7044)", "default: the built-in rules", "(default: 1)", "(default: 900)",
                    "(default: 300)", "(default: 10)", "(default: 60)", "(default: tempfail)",
                    "(default: the whole message, up to 64 MiB)", "else one per core)",
                    "descriptor limit, raised to its hard limit",
                ]
            ),
            (
                ["test", "--help"],
                [
                    "(default: the file's leading X-Envelope-From, else Return-Path, else From, else <>)",
                    "(default: the file's leading X-Envelope-To fields, else To, Cc and Bcc, else "
                        + "postmaster@example.test)",
                    "(default: 192.0.2.1)", "(default: client.example.test)", "(default: empty)",
                ]
            ),
        ]
        for (arguments, defaults) in expected {
            let text = try await Self.run(arguments).stdout
            let help = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            for words in defaults { #expect(help.contains(words), "\(arguments): \(words)") }
        }
    }

    /// No subcommand is a usage error: the help on standard error, exit 2. It printed the help on standard output
    /// and exited 0, so a script that lost its subcommand passed as a success.
    @Test func noSubcommandIsAUsageError() async throws {
        let result = try await Self.run([])
        #expect(result.status == 2, "\(result.stdout)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        #expect(result.stderr.hasPrefix("Error: give a subcommand\n"), "\(result.stderr)")
        #expect(result.stderr.contains("SUBCOMMANDS:") && result.stderr.contains("check-config"), "\(result.stderr)")
    }

    @Test func versionAnswers() async throws {
        let result = try await Self.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.split(separator: "\n").count == 1 && result.stdout.first?.isNumber == true)
    }

    /// `.eml` arguments complete to .eml files, `--config` and `check-config`'s file to any file.
    @Test func completionsOfferFiles() async throws {
        let zsh = try await Self.run(["--generate-completion-script", "zsh"]).stdout
        #expect(zsh.contains(":file:_files -g '\\''*.eml'\\''"), "\(zsh)")
        #expect(zsh.contains(":config:_files"))
        let bash = try await Self.run(["--generate-completion-script", "bash"]).stdout
        #expect(bash.contains("-fX '!*.@(eml)'"), "\(bash)")
    }

    /// The daemon's last log line says it stopped, after SIGTERM.
    @Test func theDaemonLogsWhenItStops() async throws {
        let directory = try Scratch.makeDirectory("daemon-stop")
        defer { Scratch.remove(directory) }
        let log = directory.appendingPathComponent("log").path
        try TemporaryFile.write([], to: log)
        let child = try ChildProcess(
            TestPaths.builtProduct("reference-milter"), ["daemon", "127.0.0.1:0"],
            environment: DaemonTests.cleanEnvironment, input: FileHandle.nullDevice, output: FileHandle.nullDevice,
            errors: try FileHandle(forWritingTo: URL(fileURLWithPath: log)))
        defer { if child.isRunning { child.killAndReap() } }
        let text = { String(decoding: TemporaryFile.read(log) ?? [], as: UTF8.self) }
        _ = try await pollUntil("listening", timeout: .seconds(30)) { text().contains("listening") ? true : nil }
        kill(child.pid, SIGTERM)
        #expect(try await offPool { child.waitForExit(timeout: .seconds(30)) })
        #expect(child.status == 0)
        let lines = text().split(separator: "\n")
        #expect(lines.last?.hasSuffix("info reference-milter: stopped") == true, "\(lines)")
    }
}
