import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// A started child process whose exit is signalled, so that waiting for it is one blocking wait with a
/// deadline rather than a polling loop. Whoever gives up on it kills and reaps it (``killAndReap()``).
///
/// Started with `posix_spawn` (``Spawn``) and reaped by a thread of its own, not with Foundation's
/// `Process`: in the whole suite (hundreds of children, dozens at once) Foundation's `Process.run()`
/// crashed the test process in a `memmove` (SIGSEGV) in three CI runs, serialised or not, and its
/// termination handler was seen never to fire.
package final class ChildProcess: Sendable {
    /// How a child ended.
    package enum Termination: Sendable, Equatable {
        /// It exited with this status.
        case exited(Int32)
        /// This signal killed it.
        case signalled(Int32)
        /// Something else reaped it, so its status is unknown.
        case unknown
    }

    /// Its process id.
    package let pid: Int32
    /// The command line, for messages.
    package let commandLine: String
    private let ending: NIOLockedValueBox<Termination?>
    private let ended = NIOLockedValueBox<ContinuousClock.Instant?>(nil)
    private let exited = DispatchSemaphore(value: 0)

    /// Starts `executable` (an absolute path) with its standard streams on the given handles (files,
    /// never pipes: a child that outlives the test must not hold the test's output open, and nothing
    /// needs draining). `environment` replaces the test process's; without it the child inherits it.
    package init(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        input: FileHandle, output: FileHandle, errors: FileHandle
    ) throws {
        commandLine = ([executable] + arguments).joined(separator: " ")
        pid = try Spawn.start(
            executable, arguments, environment: environment,
            streams: (input.fileDescriptor, output.fileDescriptor, errors.fileDescriptor))
        let ending = NIOLockedValueBox<Termination?>(nil)
        self.ending = ending
        let reaper = Thread { [pid, ended, exited] in
            Self.reap(pid, into: ending, then: exited) { ended.withLockedValue { $0 = .now } }
        }
        reaper.name = "reaper \(pid)"
        reaper.start()
    }

    /// Waits, blocking its own thread, until `pid` exits; records how under the lock and only then
    /// reaps it, so that ``signal(_:)``, which checks the record under the same lock, never signals a
    /// reused process id.
    private static func reap(
        _ pid: Int32, into ending: NIOLockedValueBox<Termination?>, then exited: DispatchSemaphore,
        seen: () -> Void
    ) {
        var info = siginfo_t()
        var status: Int32 = -1
        repeat { status = waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) } while status != 0 && errno == EINTR
        seen()
        let termination: Termination
        if status != 0 {
            termination = .unknown
        } else {
            let value = info._sifields._sigchld.si_status
            // si_code is CLD_EXITED (1) for an exit, CLD_KILLED or CLD_DUMPED for a signal.
            termination = info.si_code == 1 ? .exited(value) : .signalled(value)
        }
        ending.withLockedValue {
            $0 = termination
            var ignored: Int32 = 0
            while waitpid(pid, &ignored, 0) < 0 && errno == EINTR {}
        }
        exited.signal()
    }

    /// How it ended, or `nil` while it runs.
    package var termination: Termination? { ending.withLockedValue { $0 } }

    /// Whether it is still running.
    package var isRunning: Bool { termination == nil }

    /// When its exit was seen, by the thread that waits for it (not when a test starved of CPU got to look).
    package var exitInstant: ContinuousClock.Instant? { ended.withLockedValue { $0 } }

    /// The exit status, or the signal number if a signal killed it (-1 if unknown); valid once
    /// ``waitForExit(timeout:)`` is true.
    package var status: Int32 {
        switch termination {
        case .exited(let code), .signalled(let code): code
        case .unknown, nil: -1
        }
    }

    /// Sends `signal` unless it has already exited.
    package func signal(_ signal: Int32) {
        ending.withLockedValue { if $0 == nil { kill(pid, signal) } }
    }

    /// Blocks until it exits or `timeout` passes; returns whether it exited.
    package func waitForExit(timeout: Duration) -> Bool {
        let nanoseconds = max(
            0, timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
        guard exited.wait(timeout: .now() + .nanoseconds(Int(nanoseconds))) == .success else { return false }
        exited.signal()  // so that a later wait returns at once
        return true
    }

    /// Waits, off the cooperative pool, until it exits or `timeout` passes; returns whether it exited.
    package func exit(within timeout: Duration) async -> Bool {
        (try? await offPool { [self] in waitForExit(timeout: timeout) }) ?? false
    }

    /// Sends SIGKILL and waits, boundedly, until it has exited.
    package func killAndReap() {
        signal(SIGKILL)
        _ = waitForExit(timeout: .seconds(30))
    }

    /// Sends SIGTERM, waits up to `grace`, then SIGKILL. Blocks; use it off the pool.
    package func terminate(grace: Duration) {
        guard isRunning else { return }
        signal(SIGTERM)
        if !waitForExit(timeout: grace) { killAndReap() }
    }
}
