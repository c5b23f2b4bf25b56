import Foundation

/// A started child process whose exit is signalled, so that waiting for it is one blocking wait with a
/// deadline rather than a polling loop. Whoever gives up on it kills and reaps it (``killAndReap()``).
package final class ChildProcess: @unchecked Sendable {
    // @unchecked: `process` is configured before `run()` and only queried afterwards (Process is
    // thread-safe for isRunning, terminate and waitUntilExit); DispatchSemaphore is thread-safe.
    private let process = Process()
    private let exited = DispatchSemaphore(value: 0)
    /// The command line, for messages.
    package let commandLine: String

    /// Starts `executable` with its standard streams on the given handles (files, never pipes: a child
    /// that outlives the test must not hold the test's output open, and nothing needs draining).
    package init(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        input: FileHandle, output: FileHandle, errors: FileHandle
    ) throws {
        commandLine = ([executable] + arguments).joined(separator: " ")
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        // Set before `run()`: a handler set later could miss an early exit.
        process.terminationHandler = { [exited] _ in exited.signal() }
        try process.run()
    }

    /// Whether it is still running.
    package var isRunning: Bool { process.isRunning }

    /// Its process id.
    package var pid: Int32 { process.processIdentifier }

    /// The exit status, or the signal number if it was killed; valid once ``waitForExit(timeout:)`` is true.
    package var status: Int32 { process.terminationStatus }

    /// Blocks until it exits or `timeout` passes; returns whether it exited (and was reaped).
    package func waitForExit(timeout: Duration) -> Bool {
        let (seconds, attoseconds) = timeout.components
        let deadline = DispatchTime.now() + .seconds(Int(seconds)) + .nanoseconds(Int(attoseconds / 1_000_000_000))
        guard exited.wait(timeout: deadline) == .success else { return false }
        exited.signal()  // so that a later wait returns at once
        process.waitUntilExit()  // the status is set when this returns
        return true
    }

    /// Sends SIGKILL and waits until it is reaped.
    package func killAndReap() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Sends SIGTERM, waits up to `grace`, then SIGKILL. Blocks; use it off the pool.
    package func terminate(grace: Duration) {
        guard process.isRunning else { return }
        process.terminate()
        if !waitForExit(timeout: grace) { killAndReap() }
    }
}
