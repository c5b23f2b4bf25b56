import Foundation
import MilterTestSupport
import Testing

/// A message from standard input (`-`), or built with `--header` and `--body`, through the built `milter-replay`.
struct CommandLineMessageTests {
    static func run(_ arguments: [String], input: Data? = nil) async throws -> ProcessResult {
        try await ProcessRunner.run(
            TestPaths.builtProduct("milter-replay"), arguments, input: input, timeout: .seconds(30))
    }

    @Test func dashReadsStandardInput() async throws {
        let message = "From: a@example.org\r\nTo: b@example.org\r\nSubject: [reject] x\r\n\r\nHi\r\n"
        let result = try await Self.run(["--expect", "reject", "-"], input: Data(message.utf8))
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.hasPrefix("-  reject  \"550 5.7.1 rejected by subject rule\""), "\(result.stdout)")
    }

    @Test func headerAndBodyBuildTheMessage() async throws {
        let directory = try Scratch.makeDirectory("built")
        defer { Scratch.remove(directory) }
        let body = directory.appendingPathComponent("body.txt").path
        try TemporaryFile.write(Array("line one\nline two\n".utf8), to: body)
        let result = try await Self.run([
            "--header", "From: a@example.org", "--header", "To:b@example.org", "--header", "Subject: [tempfail] x",
            "--body", "@\(body)", "--show-message", "--expect", "tempfail",
        ])
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.hasPrefix("(command line)  tempfail"), "\(result.stdout)")
        let accepted = try await Self.run([
            "--header", "From: a@example.org", "--header", "To: b@example.org", "--body", "one\ntwo", "--show-message",
        ])
        #expect(accepted.status == 0, "\(accepted.stderr)")
        for line in ["    | To: b@example.org", "    | one", "    | two", "    | X-Reference-Milter: checked"] {
            #expect(accepted.stdout.contains(line + "\n"), "\(line): \(accepted.stdout)")
        }
    }

    @Test(arguments: [
        (["--header", "Subject: x", ReplayBinary.fixture("replay/accept.eml")], "give no .eml inputs"),
        (["--header", "no colon"], "--header takes NAME:VALUE"),
        (["--body", "@/nonexistent/body"], "--body @/nonexistent/body: cannot read: No such file or directory"),
    ])
    func aBadBuiltMessageIsAUsageError(arguments: [String], words: String) async throws {
        let result = try await Self.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(words), "\(result.stderr)")
    }

    /// A body file found unreadable once the command line parsed is said alone: it was followed by the root
    /// command's usage (`Usage: milter-replay <subcommand>`), which is no help with it. reference-milter's `test`
    /// likewise.
    @Test(arguments: ["milter-replay", "reference-milter"])
    func anUnreadableBodyIsSaidWithoutTheRootUsage(program: String) async throws {
        let directory = try Scratch.makeDirectory("built-dir-body")
        defer { Scratch.remove(directory) }
        let arguments = ["--header", "Subject: x", "--body", "@\(directory.path)"]
        let result = try await ProcessRunner.run(
            TestPaths.builtProduct(program), (program == "milter-replay" ? [] : ["test"]) + arguments,
            timeout: .seconds(30))
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr == "Error: --body @\(directory.path): cannot read: Is a directory\n", "\(result.stderr)")
    }

    /// A `--body @FILE` that is a FIFO is refused before it is opened, as an .eml input is: the run blocked for
    /// ever on a FIFO no one writes to.
    @Test func aBodyFileThatIsAFIFOIsRefusedNotWaitedOn() async throws {
        let directory = try Scratch.makeDirectory("built-fifo")
        defer { Scratch.remove(directory) }
        let fifo = directory.appendingPathComponent("body").path
        try #require(mkfifo(fifo, 0o600) == 0)
        let result = try await Self.run(["--header", "Subject: x", "--body", "@\(fifo)"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--body @\(fifo): cannot read: not a regular file"), "\(result.stderr)")
    }
}
