import ArgumentParser
import Logging
import ReferenceMilter
import _MilterCommandLine
import _MilterSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `reload-proxy [OPTIONS] DAEMON [ARGS...]`: keeps one milter daemon serving on a socket it owns,
/// and replaces it on SIGHUP without dropping a connection.
///
/// Exit status: 0 after SIGTERM or SIGINT when every child finished in time, 1 when some had to be
/// killed, 2 on a usage error or when the socket cannot be had, 3 when it gave up: the first child
/// exited or was not ready in time (no child had ever been ready), or `--max-restarts` restarts in a
/// row failed (a child exiting with status 2, a usage or configuration error, is a failure in a row however
/// long it served).
public struct ReloadProxyCommand: ParsableCommand {
    /// The command's help.
    public static let configuration = CommandConfiguration(
        commandName: "reload-proxy",
        abstract: "Run a milter daemon and replace it on SIGHUP without dropping connections.",
        discussion: """
            The socket comes from systemd socket activation (LISTEN_FDS, one socket only, LISTEN_PID checked) or from \
            --listen; a --listen given beside systemd's socket is still checked, then logged as not used (a \
            warning), so that one command line serves with and without the socket unit. Each child gets it as fd 3 (MILTER_LISTEN_FD=3) and a readiness pipe as fd 4 \
            (MILTER_READY_FD=4), and the proxy's pid (MILTER_PROXY_PID: on Linux reference-milter daemon then \
            gets SIGTERM when the proxy dies, even by SIGKILL). SIGHUP starts a new child; once it writes its ready byte the old one \
            gets SIGINT and drains. A new child that exits or is not ready in time never replaces the \
            serving one. SIGTERM or SIGINT go to every child; after --stop-timeout they get SIGKILL. \
            If the first child exits or is not ready in time, the proxy exits 3: the daemon cannot \
            start. A serving child that dies is restarted with exponential backoff; after \
            --max-restarts failures in a row (a child that served --max-backoff seconds ends the row, \
            unless it exited with status 2, a usage or configuration error) the proxy exits 3. With NOTIFY_SOCKET set, READY=1, RELOADING=1 and STOPPING=1 are sent \
            for Type=notify units; a failed reload's READY=1 comes with STATUS=reload failed (why); the old \
            daemon ... keeps serving, which the next child ready clears. Seconds are written in decimal digits (30, 0.5): 0x10 or 1e3 is a usage error.
            """,
        version: PackageVersion.current)

    @Option(
        help: """
            Where to listen without systemd: HOST:PORT, [IPV6]:PORT, unix:/path or fd:N, as the daemon's ADDRESS; \
            beside systemd's socket, checked, then logged as not used.
            """)
    var listen: String?

    @Option(
        parsing: .unconditional,
        help: "Seconds a new child may take to report ready, from 0.001 to under 86400.")
    var readyTimeout: SecondsArgument = 30

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Seconds a child may drain (after SIGTERM, or once a reload replaced it) before SIGKILL (keep under "
                + "TimeoutStopSec), from 0.001 to under 86400."))
    var stopTimeout: SecondsArgument = 30

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Seconds before the first restart of a child that died, from 0.001 to under 86400 and at most "
                + "--max-backoff; doubled up to --max-backoff."))
    var restartBackoff: SecondsArgument = 0.1

    @Option(
        parsing: .unconditional,
        help:
            "The longest delay between restarts, in seconds, from 0.001 to under 86400 and at least --restart-backoff.")
    var maxBackoff: SecondsArgument = 30

    @Option(
        parsing: .unconditional,
        help: "Restarts in a row that may fail before the proxy gives up and exits 3, 0 to 1000.")
    var maxRestarts = 10

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    @Option(help: "Log format: text (no timestamp when JOURNAL_STREAM is set) or json.")
    var logFormat = "text"

    @Argument(parsing: .captureForPassthrough, help: "The daemon and its arguments.")
    var command: [String] = []

    /// Creates the command with default options (ArgumentParser fills them in).
    public init() {}

    /// Parses the process's arguments, runs the proxy and exits with ``exitStatus(arguments:)``.
    public static func runAndExit() -> Never {
        terminate(exitStatus())
    }

    /// Parses `arguments`, runs the proxy and returns the exit status: usage errors (ArgumentParser's
    /// validation failures included) are 2, as for the other tools of the package, not 64.
    public static func exitStatus(arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            return 0
        } catch let code as ExitCode {
            return code.rawValue
        } catch {
            let status = exitCode(for: error)
            let message = fullMessage(for: error)
            if status == .success {
                print(message)
                return 0
            }
            FileDescriptorWriter.standardError(message + "\n")
            return status == .validationFailure ? 2 : status.rawValue
        }
    }

    /// Runs the proxy until it is stopped; exits the process.
    public func run() throws {
        let logger = try bootstrapLogging()
        // `reload-proxy [OPTIONS] -- DAEMON ARGS` keeps the separator in the passthrough arguments.
        let command = self.command.first == "--" ? Array(self.command.dropFirst()) : self.command
        guard let program = command.first else {
            throw ValidationError("give the daemon to run: reload-proxy DAEMON [ARGS...]")
        }
        // The passthrough argument takes whatever follows the options, unknown options too.
        if ["-h", "--help", "-help"].contains(program) { throw CleanExit.helpRequest(self) }
        if program == "--version" { throw CleanExit.message(PackageVersion.current) }
        if program.hasPrefix("-") && self.command.first != "--" {
            throw ValidationError("unknown option \(program) (put `--` before a daemon whose name starts with -)")
        }
        do {
            let policy = try policy()
            _ = try ExecutableLookup.resolve(program)
            let signals = try SignalPipe(trapping: [SIGHUP, SIGTERM, SIGINT, SIGCHLD])
            signal(SIGPIPE, SIG_IGN)
            // --listen is checked even beside systemd's socket: a bad one would be an error without the socket unit.
            let listenAddress = try address()
            let (socket, activated) = try ListenSocket.obtain(listenAddress)
            if activated, let listen {
                logger.warning("\(ListenSocket.unusedListen(listen, servedDescriptor: socket))")
            }
            let launcher = try ChildLauncher(command: command, socket: socket)
            let loop = ProxyRunLoop(
                supervisor: Supervisor(policy: policy), launcher: launcher, signals: signals,
                notifier: SystemdNotifier.fromEnvironment(), logger: logger)
            unsetenv("NOTIFY_SOCKET")
            let status = loop.run()
            // Closed first: while the proxy's own socket listens, the path is in use, not stale. Only a path the
            // proxy bound: beside systemd's socket, --listen's path is someone else's.
            launcher.closeListenSocket()
            if !activated, case .unix(let path) = listenAddress { _ = StaleSocket.clear(path: path) }
            logger.info("exiting with status \(status)")
            throw ExitCode(status)
        } catch let error as ProxyError {
            logger.critical("\(error)")
            throw ExitCode(2)
        }
    }

    /// `--listen` read as the daemon reads its ADDRESS, its errors in the daemon's words (the forms taken, a host
    /// of numbers with a leading zero read as octal): `--listen: invalid listen address 'x': expected HOST:PORT...`.
    private func address() throws(ProxyError) -> ListenAddress? {
        guard let listen else { return nil }
        do { return try ListenAddress(validating: listen) } catch { throw .usage("--listen: \(error)") }
    }

    func policy() throws(ProxyError) -> SupervisorPolicy {
        let values = [
            ("--ready-timeout", readyTimeout), ("--stop-timeout", stopTimeout), ("--restart-backoff", restartBackoff),
            ("--max-backoff", maxBackoff),
        ]
        // Whole milliseconds, as the durations are kept: 0.0001 would become 0. Decimal digits only: 0x10 or 1e3
        // is refused, not read as 16 or 1000 (the daemon's own seconds are read so).
        for (name, value) in values {
            do { try NumericOption.check(value, name, in: 0.001..<86_400) } catch { throw .usage("\(error)") }
        }
        guard (0...1_000).contains(maxRestarts) else {
            throw .usage("--max-restarts must be from 0 to 1000 (got \(maxRestarts))")
        }
        // The first delay would be cut to the longest at once: a value the operator did not mean, taken silently.
        guard restartBackoff.seconds <= maxBackoff.seconds else {
            throw .usage(
                "--restart-backoff (\(restartBackoff.seconds) s) must not be longer than --max-backoff "
                    + "(\(maxBackoff.seconds) s)")
        }
        func duration(_ value: SecondsArgument) -> Duration { .milliseconds(Int64(value.seconds * 1_000)) }
        return SupervisorPolicy(
            readyTimeout: duration(readyTimeout), stopTimeout: duration(stopTimeout),
            initialBackoff: duration(restartBackoff), maximumBackoff: duration(maxBackoff),
            maximumRestarts: maxRestarts)
    }

    private func bootstrapLogging() throws -> Logger {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("unknown log level \(logLevel)")
        }
        guard let format = OperatorLogHandler.Format(rawValue: logFormat) else {
            throw ValidationError("--log-format takes text or json")
        }
        LoggingSystem.bootstrap { OperatorLogHandler.standardError(label: $0, level: level, format: format) }
        return Logger(label: "reload-proxy")
    }
}

/// The C library's `exit`, which ParsableCommand's static `exit(withError:)` hides inside the type.
private func terminate(_ status: Int32) -> Never {
    exit(status)
}
