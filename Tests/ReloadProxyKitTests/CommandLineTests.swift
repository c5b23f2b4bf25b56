import Foundation
import MilterTestSupport
import Testing

/// reload-proxy's command line on the built binary: every usage error exits 2 with its reason, before
/// any child is started or retried.
@Suite struct CommandLineTests {
    @Test(arguments: [
        ([], "give the daemon to run"),
        (
            ["--ready-timeout", "0", "true"],
            "--ready-timeout must be a number from 0.001 to under 86400 seconds; got 0"
        ),
        (["--stop-timeout", "86400", "true"], "--stop-timeout must be a number from 0.001 to under 86400 seconds"),
        (["--restart-backoff", "0.0001", "true"], "--restart-backoff must be a number from 0.001 to under 86400"),
        (["--max-restarts", "-1", "true"], "--max-restarts must be from 0 to 1000"),
        (
            ["--restart-backoff", "5", "--max-backoff", "2", "true"],
            "--restart-backoff (5.0 s) must not be longer than --max-backoff (2.0 s)"
        ),
        (
            ["--restart-backoff", "31", "true"],
            "--restart-backoff (31.0 s) must not be longer than --max-backoff (30.0 s)"
        ),
        (["--bogus"], "unknown option --bogus"),
        (["/nonexistent/milter-daemon"], "cannot run /nonexistent/milter-daemon: No such file or directory"),
        (["no-such-milter-daemon-here"], "cannot run no-such-milter-daemon-here: not found in PATH"),
        // The daemon's words for an address: the forms it takes, octal.
        (
            ["--listen", "nowhere", "true"],
            "--listen: invalid listen address 'nowhere': expected HOST:PORT, PORT@HOST or unix:/path"
        ),
        (["--listen", "010.0.0.1:7044", "true"], "(010 would be read as octal)"),
        (["--listen", "fd:x", "true"], "--listen: invalid listen address 'fd:x': fd: takes a descriptor number"),
        (["--log-level", "loud", "true"], "unknown log level loud"),
    ])
    func usageErrorsExitTwo(_ arguments: [String], _ reason: String) async throws {
        let result = try await ProcessRunner.run(ProxyProcess.binary("reload-proxy"), arguments, timeout: .seconds(60))
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(reason), "\(arguments): \(result.stderr)")
    }

    /// Seconds are read in decimal digits only, as the daemon's are: `0x10` (which `Double` reads as 16), `1e3`,
    /// `inf` and `nan` were taken as numbers (`inf` and `nan` then refused without the forms taken).
    @Test(
        arguments: ["--ready-timeout", "--stop-timeout", "--restart-backoff", "--max-backoff"],
        ["0x10", "1e3", "inf", "nan", "-1", ""])
    func secondsNotInDecimalDigitsOrOutOfRangeAreAUsageError(option: String, value: String) async throws {
        let result = try await ProcessRunner.run(
            ProxyProcess.binary("reload-proxy"), [option, value, "true"], timeout: .seconds(60))
        let range = "\(option) must be a number from 0.001 to under 86400 seconds"
        let expected =
            value == "-1" ? range + "; got -1" : range + ", in decimal digits (such as 30 or 0.5); got \(value)"
        #expect(result.status == 2, "\(option) \(value): \(result.stderr)")
        #expect(result.stderr.contains(expected), "\(option) \(value): \(result.stderr)")
    }

    @Test func aFileThatCannotRunIsRefusedAtOnce() async throws {
        let directory = try Scratch.makeDirectory("reload-proxy-cli")
        defer { Scratch.remove(directory) }
        let path = directory.appendingPathComponent("not-a-program").path
        try TemporaryFile.write(Array("not a program\n".utf8), to: path)
        let result = try await ProcessRunner.run(
            ProxyProcess.binary("reload-proxy"), ["--listen", "127.0.0.1:0", path], timeout: .seconds(60))
        #expect(result.status == 2)
        #expect(result.stderr.contains("cannot run \(path): not executable"), "\(result.stderr)")
    }

    /// `--version` as milter-replay and reference-milter take it: the package version on stdout, status 0.
    @Test func versionIsPrinted() async throws {
        let proxy = try await ProcessRunner.run(
            ProxyProcess.binary("reload-proxy"), ["--version"], timeout: .seconds(60))
        let milter = try await ProcessRunner.run(
            ProxyProcess.binary("reference-milter"), ["--version"], timeout: .seconds(60))
        #expect(proxy.status == 0, "\(proxy.stderr)")
        #expect(milter.status == 0)
        #expect(!proxy.stdout.isEmpty)
        #expect(proxy.stdout == milter.stdout)
    }

    /// A first daemon that cannot start (here: its rules file is missing, it exits 2) ends the proxy
    /// with status 3 and one line naming the child's status, instead of restarts for ever.
    @Test func aFirstChildThatExitsBeforeItIsReadyEndsTheProxy() async throws {
        let result = try await ProcessRunner.run(
            ProxyProcess.binary("reload-proxy"),
            [
                "--listen", "127.0.0.1:0", ProxyProcess.binary("reference-milter"), "daemon", "--config",
                "/nonexistent/reload-proxy-rules",
            ],
            timeout: .seconds(60))
        #expect(result.status == 3, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n").filter { $0.contains("giving up") }
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(
            lines.first?.contains("exited with status 2 before it was ready; no child has been ready yet") == true,
            "\(result.stderr)")
        #expect(!result.stderr.contains("restarting"), "\(result.stderr)")
    }

    /// The same for a first daemon that never reports ready: killed at --ready-timeout, and the proxy exits 3.
    @Test func aFirstChildNeverReadyEndsTheProxy() async throws {
        let result = try await ProcessRunner.run(
            ProxyProcess.binary("reload-proxy"), ["--listen", "127.0.0.1:0", "--ready-timeout", "0.5", "sleep", "60"],
            timeout: .seconds(60))
        #expect(result.status == 3, "\(result.stderr)")
        #expect(
            result.stderr.contains("not ready after 0.5 seconds; killed; no child has been ready yet"),
            "\(result.stderr)")
    }

    @Test func helpIsNotTakenForTheDaemon() async throws {
        let result = try await ProcessRunner.run(ProxyProcess.binary("reload-proxy"), ["--help"], timeout: .seconds(60))
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE: reload-proxy"))
    }

    /// The help gives the ranges the errors enforce, and the defaults, for every numeric option.
    @Test func helpGivesTheRangesAndDefaults() async throws {
        let result = try await ProcessRunner.run(ProxyProcess.binary("reload-proxy"), ["--help"], timeout: .seconds(60))
        #expect(result.status == 0)
        // Each option's entry of the OPTIONS section, its wrapped lines joined.
        let options = result.stdout.components(separatedBy: "OPTIONS:").last ?? ""
        let entries = options.components(separatedBy: "\n  -").map {
            $0.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
        let help = entries.joined(separator: " ")
        for option in ["--ready-timeout", "--stop-timeout", "--restart-backoff", "--max-backoff"] {
            let entry = entries.first { $0.hasPrefix("\(option.dropFirst()) ") } ?? ""
            #expect(entry.contains("from 0.001 to under 86400"), "\(option): \(entry)")
            #expect(entry.contains("(default:"), "\(option): \(entry)")
        }
        #expect(help.contains("at most --max-backoff"), "\(help)")
        #expect(help.contains("at least --restart-backoff"), "\(help)")
        #expect(help.contains("0 to 1000. (default: 10)"), "\(help)")
        // A default as written, not the value's structure.
        #expect(help.contains("at most --max-backoff; doubled up to --max-backoff. (default: 0.1)"), "\(help)")
        #expect(!help.contains("SecondsArgument"), "\(help)")
    }
}
