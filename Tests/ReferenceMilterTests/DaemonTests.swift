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
    static func exited(_ process: Process) async throws -> Bool {
        let exit = try? await pollUntil("exit", timeout: .seconds(20), interval: .milliseconds(10)) {
            process.isRunning ? nil : true
        }
        guard exit == nil else { return true }
        kill(process.processIdentifier, SIGKILL)
        return false
    }

    @Test func sigtermDrainsAndExitsZero() async throws {
        let path = NSTemporaryDirectory() + "daemon-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = [
            "daemon", "unix:\(path)", "--drain-timeout", "0.3", "--handshake-timeout", "120", "--log-level", "error",
        ]
        process.environment = Self.cleanEnvironment
        Self.detachOutput(process)
        try ChildProcess.spawning { try process.run() }
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        try await waitUntil { FileManager.default.fileExists(atPath: path) }
        let mta = try await TestMTA.connect(unixPath: path)
        try await mta.negotiate()
        try await mta.send([Cmd.connect, Cmd.helo])
        #expect(try await mta.message(Cmd.message(subject: "x")).last == .accept)
        // The connection stays open and idle: the drain timeout bounds the shutdown.
        kill(process.processIdentifier, SIGTERM)
        #expect(try await mta.isClosed())
        try #require(try await Self.exited(process))
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    /// Children never write to the test's own stdout/stderr: one that outlived the test would keep
    /// `swift test`'s output pipe open, and `swift test` would never exit.
    static func detachOutput(_ process: Process) {
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", Self.launcher, Self.binary, portFile]
        process.environment = Self.cleanEnvironment
        Self.detachOutput(process)
        try ChildProcess.spawning { try process.run() }
        // Registered before anything can throw: the launcher's whole group (the daemon too) goes.
        let group = process.processIdentifier
        defer {
            kill(-group, SIGKILL)
            if process.isRunning { kill(group, SIGKILL) }
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
        #expect(process.terminationStatus == 0)
    }
}
