import Foundation
import Testing

/// Runs a program as systemd socket activation does: Python passes a listening TCP socket on 127.0.0.1 as fd 3
/// with `LISTEN_FDS=1` and `LISTEN_PID` set to the child's pid, and execs the program with the arguments given.
///
/// The launcher leads a process group of its own (killed whole by the test), the program dies with it
/// (`PR_SET_PDEATHSIG`), and it writes "port pid" to the port file by an atomic rename once the program is forked;
/// it exits with the program's status. Shared by the daemon's and reload-proxy's socket-activation tests.
package enum SocketActivationLauncher {
    /// The Python script: `argv[1]` is the program, `argv[2]` the port file, the rest the program's arguments.
    package static let script = """
        import os, socket, sys
        os.setpgid(0, 0)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        s.listen(16)
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
            os.execv(sys.argv[1], [sys.argv[1]] + sys.argv[3:])
        s.close()
        with open(sys.argv[2] + ".tmp", "w") as f:
            f.write("%d %d\\n" % (port, pid))
        os.rename(sys.argv[2] + ".tmp", sys.argv[2])
        _, status = os.waitpid(pid, 0)
        sys.exit(os.waitstatus_to_exitcode(status))
        """

    /// The arguments of `/usr/bin/python3` that run `program` with `arguments` under the launcher.
    package static func arguments(program: String, portFile: String, _ arguments: [String]) -> [String] {
        ["-c", script, program, portFile] + arguments
    }

    /// The port of the passed socket and the program's pid, once the launcher wrote them to `portFile`.
    package static func launched(_ process: ChildProcess, portFile: String) async throws -> (port: Int32, pid: Int32) {
        try await waitUntil { FileManager.default.fileExists(atPath: portFile) || !process.isRunning }
        let line = (try? String(contentsOfFile: portFile, encoding: .utf8)) ?? ""
        let fields = line.split(whereSeparator: \.isWhitespace).compactMap { Int32($0) }
        guard fields.count == 2 else { throw HarnessError("the launcher wrote \(line.debugDescription)") }
        return (fields[0], fields[1])
    }
}
