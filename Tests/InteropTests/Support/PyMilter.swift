import Foundation
import MilterTestSupport

/// The python3-milter peer in `interop/pymilter/pymilter.py` (rules in its docstring), on a free
/// 127.0.0.1 port.
final class PyMilter: InteropPeer {
    /// The TCP port it listens on.
    let port: Int
    /// Its scratch directory (the log).
    let directory: URL
    /// The running interpreter.
    let process: BackgroundProcess

    /// The `smtpd_milters` entry for Postfix.
    var postfixSpec: String { "inet:127.0.0.1:\(port)" }
    var peerName: String { "pymilter" }

    private init(port: Int, directory: URL, process: BackgroundProcess) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    /// Starts it, runs `body`, then stops it, also when `body` throws.
    static func with<T: Sendable>(_ body: (PyMilter) async throws -> T) async throws -> T {
        try await withPeer(try await start(), body)
    }

    /// Starts pymilter.py with /usr/bin/python3 (the one python3-milter is installed for).
    static func start() async throws -> PyMilter {
        let script = TestPaths.root.appendingPathComponent("interop/pymilter/pymilter.py")
        let directory = try Scratch.makeDirectory("pymilter")
        do {
            let (port, process) = try await startListening("pymilter") { port in
                try BackgroundProcess.start(
                    "/usr/bin/python3", [script.path, "inet:\(port)@127.0.0.1"],
                    logFile: directory.appendingPathComponent("pymilter.log"))
            }
            return PyMilter(port: port, directory: directory, process: process)
        } catch {
            Scratch.remove(directory)
            throw error
        }
    }

    /// Everything it printed.
    func log() -> String { process.log() }

    /// Stops it and removes its directory.
    func stop() async {
        await process.stop(grace: .seconds(3))
        Scratch.remove(directory)
    }
}
