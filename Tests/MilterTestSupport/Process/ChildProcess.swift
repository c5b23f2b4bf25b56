import Foundation
import NIOConcurrencyHelpers

/// A started child process whose exit is signalled, so that waiting for it is one blocking wait with a
/// deadline rather than a polling loop. Whoever gives up on it kills and reaps it (``killAndReap()``).
package final class ChildProcess: @unchecked Sendable {
    // @unchecked: `process` is configured before `run()` and only queried afterwards (Process is
    // thread-safe for isRunning, terminate and waitUntilExit); DispatchSemaphore is thread-safe.
    private let process = Process()
    private let exited = DispatchSemaphore(value: 0)
    private let observedStatus = NIOLockedValueBox<Int32?>(nil)
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
        try Self.spawning { try process.run() }
    }

    /// One `Process.run()` at a time in the test process: Foundation's on Linux crashed in a memmove
    /// (SIGSEGV, twice in CI) with dozens of suites starting children at once.
    private static let spawnLock = NIOLock()

    /// Runs `body` (a `Process.run()`) while no other child of the test process is being started.
    package static func spawning<T>(_ body: () throws -> T) rethrows -> T {
        try spawnLock.withLock { try body() }
    }

    /// Whether it is still running.
    package var isRunning: Bool { process.isRunning }

    /// Its process id.
    package var pid: Int32 { process.processIdentifier }

    /// The exit status, or the signal number if it was killed; valid once ``waitForExit(timeout:)`` is true.
    package var status: Int32 { observedStatus.withLockedValue { $0 } ?? process.terminationStatus }

    /// Blocks until it exits or `timeout` passes; returns whether it exited.
    ///
    /// Foundation's termination handler is the fast path, but it has been seen never to fire on Linux
    /// when many children come and go at once (and `waitUntilExit` then blocks forever), so every
    /// 20 ms the child is also looked at with `waitid(WNOWAIT)`, which sees an exit without reaping it.
    package func waitForExit(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if exited.wait(timeout: .now() + .milliseconds(20)) == .success {
                exited.signal()  // so that a later wait returns at once
                return true
            }
            if let status = Self.exitWithoutReaping(pid) {
                observedStatus.withLockedValue { $0 = status }
                return true
            }
            if ContinuousClock.now >= deadline { return false }
        }
    }

    /// Sends SIGKILL and waits, boundedly, until it has exited.
    package func killAndReap() {
        kill(process.processIdentifier, SIGKILL)
        _ = waitForExit(timeout: .seconds(30))
    }

    /// The exit status (or terminating signal) of `pid` if it has exited, leaving it for its reaper.
    private static func exitWithoutReaping(_ pid: Int32) -> Int32? {
        var info = siginfo_t()
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else {
            return nil  // ECHILD: Foundation has reaped it, so its handler is about to fire
        }
        guard info._sifields._sigchld.si_pid == pid else { return nil }
        return info._sifields._sigchld.si_status
    }

    /// Sends SIGTERM, waits up to `grace`, then SIGKILL. Blocks; use it off the pool.
    package func terminate(grace: Duration) {
        guard process.isRunning else { return }
        process.terminate()
        if !waitForExit(timeout: grace) { killAndReap() }
    }
}
