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

    /// Python passes a listening socket as fd 3 with LISTEN_FDS=1 and LISTEN_PID set to the child's pid.
    /// It leads a process group of its own (killed whole by the test) and the daemon dies with it
    /// (PR_SET_PDEATHSIG); it writes "port pid" to `argv[2]` by an atomic rename once the daemon is forked.
    static let launcher = """
        import os, socket, sys
        os.setpgid(0, 0)
        s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
        port = s.getsockname()[1]
        pid = os.fork()
        if pid == 0:
            try:
                import ctypes
                ctypes.CDLL(None, use_errno=True).prctl(1, 9)
            except Exception:
                pass
            os.dup2(s.fileno(), 3); os.set_inheritable(3, True)
            os.environ["LISTEN_FDS"] = "1"; os.environ["LISTEN_PID"] = str(os.getpid())
            os.execv(sys.argv[1], [sys.argv[1], "daemon", "--drain-timeout", "0.2", "--handshake-timeout", "120", "--log-level", "error"])
        s.close()
        with open(sys.argv[2] + ".tmp", "w") as f:
            f.write("%d %d\\n" % (port, pid))
        os.rename(sys.argv[2] + ".tmp", sys.argv[2])
        _, status = os.waitpid(pid, 0)
        sys.exit(os.waitstatus_to_exitcode(status))
        """

    @Test func systemdSocketActivationIsServed() async throws {
        let portFile = NSTemporaryDirectory() + "launcher-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let process = try Self.start("/usr/bin/python3", ["-c", Self.launcher, Self.binary, portFile])
        // Registered before anything can throw: the launcher's whole group (the daemon too) goes.
        let group = process.pid
        defer {
            kill(-group, SIGKILL)
            process.signal(SIGKILL)
            try? FileManager.default.removeItem(atPath: portFile)
        }
        try await waitUntil { FileManager.default.fileExists(atPath: portFile) || !process.isRunning }
        let line = (try? String(contentsOfFile: portFile, encoding: .utf8)) ?? ""
        let fields = line.split(whereSeparator: \.isWhitespace).compactMap { Int32($0) }
        try #require(fields.count == 2, "launcher wrote \(line.debugDescription)")
        let mta = try await TestMTA.connect(port: Int(fields[0]))
        #expect(try await mta.negotiate().version == .v6)
        await mta.close()
        kill(fields[1], SIGTERM)
        try #require(try await Self.exited(process))
        #expect(process.termination == .exited(0))
    }
}
