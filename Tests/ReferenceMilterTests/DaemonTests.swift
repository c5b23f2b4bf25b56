import Foundation
import MilterProtocol
import MilterTestSupport
import Testing

/// The `daemon` subcommand of the built binary: listening variants and graceful shutdown.
@Suite struct DaemonTests {
    static var binary: String { TestPaths.builtProduct("reference-milter") }

    /// The environment for children, without the listening variables other tests set in this process.
    static var cleanEnvironment: [String: String] {
        ProcessInfo.processInfo.environment.filter {
            !["MILTER_LISTEN_FD", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"].contains($0.key)
        }
    }

    /// Waits up to 20 s for the process to exit; kills it and returns false if it does not.
    static func exited(_ process: ChildProcess) async throws -> Bool {
        if await process.exit(within: .seconds(20)) { return true }
        process.signal(SIGKILL)
        return false
    }

    @Test func sigtermDrainsAndExitsZero() async throws {
        let path = NSTemporaryDirectory() + "daemon-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        let process = try Self.start(
            Self.binary,
            ["daemon", "unix:\(path)", "--drain-timeout", "0.3", "--handshake-timeout", "120", "--log-level", "error"])
        defer { process.signal(SIGKILL) }
        try await waitUntil { FileManager.default.fileExists(atPath: path) }
        let mta = try await TestMTA.connect(unixPath: path)
        try await mta.negotiate()
        try await mta.send([Cmd.connect, Cmd.helo])
        #expect(try await mta.message(Cmd.message(subject: "x")).last == .accept)
        // The connection stays open and idle: the drain timeout bounds the shutdown.
        process.signal(SIGTERM)
        #expect(try await mta.isClosed())
        try #require(try await Self.exited(process))
        #expect(process.termination == .exited(0))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    /// Starts `executable` with the clean environment and its streams on /dev/null: children never
    /// write to the test's own stdout/stderr, because one that outlived the test would keep
    /// `swift test`'s output pipe open, and `swift test` would never exit.
    static func start(_ executable: String, _ arguments: [String]) throws -> ChildProcess {
        try ChildProcess(
            executable, arguments, environment: cleanEnvironment, input: FileHandle.nullDevice,
            output: FileHandle.nullDevice, errors: FileHandle.nullDevice)
    }

    /// The launcher's arguments for the daemon with `extra` added (a later `--log-level` wins): socket activation
    /// as systemd does it (``SocketActivationLauncher``).
    static func launcherArguments(portFile: String, _ extra: [String] = []) -> [String] {
        SocketActivationLauncher.arguments(
            program: binary, portFile: portFile,
            ["daemon", "--drain-timeout", "0.2", "--handshake-timeout", "120", "--log-level", "error"] + extra)
    }

    @Test func systemdSocketActivationIsServed() async throws {
        let portFile = NSTemporaryDirectory() + "launcher-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let process = try Self.start("/usr/bin/python3", Self.launcherArguments(portFile: portFile))
        // Registered before anything can throw: the launcher's whole group (the daemon too) goes.
        let group = process.pid
        defer {
            kill(-group, SIGKILL)
            process.signal(SIGKILL)
            try? FileManager.default.removeItem(atPath: portFile)
        }
        let fields = try await SocketActivationLauncher.launched(process, portFile: portFile)
        let mta = try await TestMTA.connect(port: Int(fields.port))
        #expect(try await mta.negotiate().version == .v6)
        await mta.close()
        kill(fields.pid, SIGTERM)
        try #require(try await Self.exited(process))
        #expect(process.termination == .exited(0))
    }

    /// An ADDRESS beside a socket from systemd is not used, and the log says so (level warning), naming both: it
    /// was silently ignored. The inherited socket is served; a bad ADDRESS is still a usage error.
    @Test func anAddressBesideSocketActivationIsWarnedOfAndNotUsed() async throws {
        let directory = try Scratch.makeDirectory("activation")
        defer { Scratch.remove(directory) }
        let portFile = directory.appendingPathComponent("port").path
        let log = directory.appendingPathComponent("log").path
        try TemporaryFile.write([], to: log)
        let process = try ChildProcess(
            "/usr/bin/python3",
            Self.launcherArguments(portFile: portFile, ["--log-level", "warning", "unix:\(directory.path)/unused"]),
            environment: Self.cleanEnvironment, input: FileHandle.nullDevice, output: FileHandle.nullDevice,
            errors: try FileHandle(forWritingTo: URL(fileURLWithPath: log)))
        let group = process.pid
        defer {
            kill(-group, SIGKILL)
            process.signal(SIGKILL)
        }
        let fields = try await SocketActivationLauncher.launched(process, portFile: portFile)
        let mta = try await TestMTA.connect(port: Int(fields.port))
        #expect(try await mta.negotiate().version == .v6)
        await mta.close()
        let text = String(decoding: TemporaryFile.read(log) ?? [], as: UTF8.self)
        #expect(
            text.contains(
                "warning reference-milter: ADDRESS unix:\(directory.path)/unused is not used: serving the socket "
                    + "passed by systemd socket activation (LISTEN_FDS"), "\(text)")
        #expect(!FileManager.default.fileExists(atPath: "\(directory.path)/unused"))
        kill(fields.pid, SIGTERM)
        try #require(try await Self.exited(process))
        #expect(process.termination == .exited(0))
        // An ADDRESS that does not parse is a usage error all the same: it would be one without the socket unit.
        let bad = try Self.start(
            "/usr/bin/python3", Self.launcherArguments(portFile: portFile + "2", ["inet:7408@"]))
        defer {
            kill(-bad.pid, SIGKILL)
            bad.signal(SIGKILL)
        }
        try #require(try await Self.exited(bad))
        #expect(bad.termination == .exited(2))
    }
}
