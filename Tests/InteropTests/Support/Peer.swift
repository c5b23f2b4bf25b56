import Foundation
import MilterTestSupport

/// A running peer process the harness started.
protocol InteropPeer: Sendable {
    /// A short name for messages, e.g. "cmilter".
    var peerName: String { get }
    /// What the peer has logged so far.
    func log() -> String
    /// Stops the peer and removes its files.
    func stop() async
}

/// Runs `body` with `peer`, then stops it, also when `body` throws; on failure prints the peer's log.
func withPeer<P: InteropPeer, T: Sendable>(_ peer: P, _ body: (P) async throws -> T) async throws -> T {
    do {
        let result = try await body(peer)
        await peer.stop()
        return result
    } catch {
        print("interop: \(peer.peerName) log for the failed test:\n\(peer.log())")
        await peer.stop()
        throw error
    }
}

/// Starts a process that listens on a free port of `host`, trying again with another port when
/// the port was taken between allocation and bind (the process exits).
///
/// Every peer runs in the foreground: one still running and not listening yet is waiting for the CPU, not for
/// another port. A peer slower than 10 s to start under the whole suite's load was killed and started again
/// (three times, then the test failed); the bound is now a guard against hangs.
func startListening(
    _ name: String, host: String = "127.0.0.1", launch: (Int) async throws -> BackgroundProcess
) async throws -> (port: Int, process: BackgroundProcess) {
    var lastError: Error = HarnessError("\(name) did not start")
    for _ in 0..<3 {
        let port = try FreePort.allocate(host: host)
        let process = try await launch(port)
        do {
            let listening = try await pollUntil(
                "\(name) listening on port \(port)", timeout: .seconds(120), interval: .milliseconds(50)
            ) {
                FreePort.canConnect(host: host, port: port) ? true : process.isRunning ? nil : false
            }
            if listening { return (port, process) }
            lastError = HarnessError("\(name) exited without listening on port \(port); log: \(process.log())")
        } catch {
            lastError = HarnessError("\(name): \(error); log: \(process.log())")
        }
        await process.stop()
    }
    throw lastError
}

/// A peer process listening on a free 127.0.0.1 port, its files in a scratch directory.
final class ScratchPeer: InteropPeer {
    let peerName: String
    /// The port it listens on.
    let port: Int
    let directory: URL
    let process: BackgroundProcess

    private init(name: String, port: Int, directory: URL, process: BackgroundProcess) {
        self.peerName = name
        self.port = port
        self.directory = directory
        self.process = process
    }

    /// Makes its directory and starts it with `launch(port, directory)`.
    static func start(
        _ name: String, launch: @escaping (Int, URL) throws -> BackgroundProcess
    ) async throws -> ScratchPeer {
        let directory = try Scratch.makeDirectory(name)
        do {
            let (port, process) = try await startListening(name) { port in try launch(port, directory) }
            return ScratchPeer(name: name, port: port, directory: directory, process: process)
        } catch {
            Scratch.remove(directory)
            throw error
        }
    }

    /// The `smtpd_milters` entry for Postfix, for a milter.
    var postfixSpec: String { "inet:127.0.0.1:\(port)" }

    func log() -> String { process.log() }

    func stop() async {
        await process.stop(grace: .seconds(3))
        Scratch.remove(directory)
    }
}
