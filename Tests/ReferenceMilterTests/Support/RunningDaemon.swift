import Foundation
import MilterTestSupport
import Testing

/// The built `reference-milter daemon`, started for one test on a free port of 127.0.0.1 (and one
/// for `--metrics` when asked), its output in a scratch directory. ``with(_:metrics:listen:_:_:)``
/// runs the test's body once the daemon listens, records the daemon's log when the body throws,
/// and stops the daemon either way.
struct RunningDaemon {
    /// The daemon process.
    let process: BackgroundProcess
    /// The milter port.
    let port: Int
    /// The `--metrics` port; 0 when the daemon serves no metrics.
    let metricsPort: Int

    /// Everything the daemon has written so far.
    func log() -> String { process.log() }

    /// Starts `reference-milter daemon LISTEN --handshake-timeout 120 [--metrics 127.0.0.1:PORT] OPTIONS` (LISTEN is
    /// `listen(port)`, by default `127.0.0.1:PORT`), waits until both ports listen, and runs `body`.
    ///
    /// The 120 s handshake timeout (OPTIONS can set another: the last one wins) because a test starved between its
    /// connect and its OPTNEG on a loaded machine lost the connection to the default 5 s (CI run fresh93,
    /// MetricsHostileClientTests: "handshake timeout: no OPTNEG", then `.noNegotiation`).
    static func with<T>(
        _ label: String, metrics: Bool = false, listen: (Int) -> String = { "127.0.0.1:\($0)" },
        _ options: [String], _ body: (RunningDaemon) async throws -> T
    ) async throws -> T {
        let port = try FreePort.allocate()
        let metricsPort = metrics ? try FreePort.allocate() : 0
        let scratch = try Scratch.makeDirectory(label)
        defer { Scratch.remove(scratch) }
        let process = try BackgroundProcess.start(
            DaemonTests.binary,
            ["daemon", listen(port), "--handshake-timeout", "120"]
                + (metrics ? ["--metrics", "127.0.0.1:\(metricsPort)"] : []) + options,
            logFile: scratch.appendingPathComponent("daemon.log"), environment: DaemonTests.cleanEnvironment)
        let daemon = RunningDaemon(process: process, port: port, metricsPort: metricsPort)
        let value: T
        do {
            try await FreePort.waitUntilListening(port: port)
            if metrics { try await FreePort.waitUntilListening(port: metricsPort) }
            value = try await body(daemon)
        } catch {
            Issue.record("daemon log:\n\(daemon.log())")
            await process.stop()
            throw error
        }
        await process.stop()
        return value
    }
}
