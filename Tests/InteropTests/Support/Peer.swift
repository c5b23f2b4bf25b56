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
/// the port was taken between allocation and bind.
func startListening(
    _ name: String, host: String = "127.0.0.1", launch: (Int) async throws -> BackgroundProcess
) async throws -> (port: Int, process: BackgroundProcess) {
    var lastError: Error = HarnessError("\(name) did not start")
    for _ in 0..<3 {
        let port = try FreePort.allocate(host: host)
        let process = try await launch(port)
        do {
            try await FreePort.waitUntilListening(host: host, port: port, timeout: .seconds(10))
            return (port, process)
        } catch {
            lastError = HarnessError("\(name): \(error); log: \(process.log())")
            await process.stop()
        }
    }
    throw lastError
}
