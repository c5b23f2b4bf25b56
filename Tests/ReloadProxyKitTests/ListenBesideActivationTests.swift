import Foundation
import MilterTestSupport
import Testing

/// `--listen` beside systemd socket activation, as the daemon treats its ADDRESS: checked, then logged at level
/// warning as not used, naming the socket served; it was silently ignored. Its unix: path is not the proxy's.
@Suite struct ListenBesideActivationTests {
    /// The environment for the launcher, without the listening variables of this process.
    static var environment: [String: String] {
        ProcessInfo.processInfo.environment.filter {
            !["MILTER_LISTEN_FD", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "NOTIFY_SOCKET"].contains($0.key)
        }
    }

    /// The launcher running reload-proxy with `arguments`, its standard error (the proxy's and the daemon's) in
    /// `log`.
    static func launch(_ arguments: [String], portFile: String, log: String) throws -> ChildProcess {
        try TemporaryFile.write([], to: log)
        return try ChildProcess(
            "/usr/bin/python3",
            SocketActivationLauncher.arguments(
                program: ProxyProcess.binary("reload-proxy"), portFile: portFile, arguments),
            environment: environment, input: FileHandle.nullDevice, output: FileHandle.nullDevice,
            errors: try FileHandle(forWritingTo: URL(fileURLWithPath: log)))
    }

    @Test func aListenBesideActivationIsWarnedOfAndNotUsed() async throws {
        let directory = try Scratch.makeDirectory("proxy-activation")
        defer { Scratch.remove(directory) }
        let portFile = directory.appendingPathComponent("port").path
        let log = directory.appendingPathComponent("log").path
        // A socket file nothing listens on, at the --listen path: the proxy must neither bind nor clear it.
        let unused = directory.appendingPathComponent("unused.sock").path
        let stale = try await ProcessRunner.run(
            "/usr/bin/python3",
            ["-c", "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", unused],
            timeout: .seconds(60))
        try #require(stale.status == 0, "\(stale.stderr)")
        let process = try Self.launch(
            [
                // A loaded machine can take longer than the default 30 s to start a debug daemon.
                "--listen", "unix:\(unused)", "--log-level", "warning", "--ready-timeout", "120",
                // Its default 5 s handshake timeout closed the connection before this starved test sent OPTNEG.
                ProxyProcess.binary("reference-milter"),
                "daemon", "--log-level", "error", "--handshake-timeout", "120",
            ], portFile: portFile, log: log)
        let group = process.pid
        defer {
            kill(-group, SIGKILL)
            process.signal(SIGKILL)
        }
        let fields = try await SocketActivationLauncher.launched(process, portFile: portFile)
        // systemd's socket is served: the daemon behind the proxy answers on it.
        do {
            let mta = try await TestMTA.connect(port: Int(fields.port))
            _ = try await mta.negotiate()
            await mta.close()
        } catch {
            // The log says why: the proxy's and the daemon's lines.
            let text = String(decoding: TemporaryFile.read(log) ?? [], as: UTF8.self)
            Issue.record(
                "no negotiation through the proxy: \(error); the launcher running: \(process.isRunning); \(text)")
            return
        }
        let text = String(decoding: TemporaryFile.read(log) ?? [], as: UTF8.self)
        #expect(
            text.contains(
                "warning reload-proxy: --listen unix:\(unused) is not used: serving the socket passed by systemd "
                    + "socket activation (LISTEN_FDS, fd 3; its socket unit's Listen line sets it) instead"),
            "\(text)")
        kill(fields.pid, SIGTERM)
        #expect(await process.exit(within: .seconds(60)), "the proxy did not stop on SIGTERM")
        #expect(
            process.termination == .exited(0),
            "\(TemporaryFile.read(log).map { String(decoding: $0, as: UTF8.self) } ?? "")")
        // The path was never the proxy's: it is left as it was when the proxy exits.
        #expect(FileManager.default.fileExists(atPath: unused))
    }

    /// A --listen that does not parse is a usage error all the same: it would be one without the socket unit.
    @Test func aBadListenBesideActivationIsAUsageError() async throws {
        let directory = try Scratch.makeDirectory("proxy-activation-bad")
        defer { Scratch.remove(directory) }
        let log = directory.appendingPathComponent("log").path
        let process = try Self.launch(
            ["--listen", "nowhere", "true"], portFile: directory.appendingPathComponent("port").path, log: log)
        defer {
            kill(-process.pid, SIGKILL)
            process.signal(SIGKILL)
        }
        #expect(await process.exit(within: .seconds(60)), "the proxy did not exit")
        let text = String(decoding: TemporaryFile.read(log) ?? [], as: UTF8.self)
        #expect(process.termination == .exited(2), "\(text)")
        #expect(text.contains("--listen: invalid listen address 'nowhere'"), "\(text)")
    }
}
