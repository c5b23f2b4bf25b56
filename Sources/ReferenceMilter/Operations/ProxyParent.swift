import NIOConcurrencyHelpers
import _MilterSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A daemon started by reload-proxy follows the proxy into death: the proxy names itself in `MILTER_PROXY_PID`,
/// and on Linux the daemon asks the kernel for SIGTERM when its parent dies (`PR_SET_PDEATHSIG`), so that a
/// proxy killed with SIGKILL leaves no daemon behind holding the socket and the metrics port.
///
/// The proxy spawns its children from its main thread, which lives as long as the proxy: the parent-death
/// signal comes when the thread that spawned the child ends, not only the process.
public enum ProxyParent {
    /// The environment variable with the proxy's pid.
    public static let variable = "MILTER_PROXY_PID"

    /// What ``follow()`` found.
    public enum Outcome: Equatable, Sendable {
        /// Not started by reload-proxy (no `MILTER_PROXY_PID`), or not on Linux.
        case notUnderProxy
        /// SIGTERM comes when the proxy dies.
        case following(pid: pid_t)
        /// The proxy died before the request was made: SIGTERM has been sent to this process.
        case proxyGone(pid: pid_t)
        /// `prctl` could not be called (not found at run time): the daemon does not follow the proxy.
        case unavailable(pid: pid_t)
        /// The proxy is alive but not this process's parent (a wrapper that did not `exec` the daemon): nothing
        /// is asked, the wrapper would be the one followed.
        case notParent(pid: pid_t, parent: pid_t)
    }

    /// Asks for SIGTERM when the proxy named in the environment dies, and takes the variable from the environment.
    /// Call it once SIGTERM is trapped: a proxy that died before the request is found by its parent pid
    /// (`getppid` is no longer the proxy's), and this process then sends itself SIGTERM.
    ///
    /// Linux keeps the request with the thread that makes it and forgets it when that thread ends; an async
    /// program's threads, its main thread included (`dispatch_main` ends it), may end while the process goes on. So
    /// the request is made from a thread of its own that never ends (a few KiB of stack, asleep in `pause`).
    @discardableResult
    public static func follow() -> Outcome {
        guard let text = getenv(variable).map({ String(cString: $0) }) else { return .notUnderProxy }
        unsetenv(variable)
        #if os(Linux)
        guard let pid = pid_t(text), pid > 1 else { return .notUnderProxy }
        if getppid() != pid {
            // Gone, or alive elsewhere in the tree (a wrapper that did not exec the daemon). A proxy killed a moment
            // ago may still be a zombie its own parent has not reaped: that counts as gone.
            if isRunning(pid) { return .notParent(pid: pid, parent: getppid()) }
            kill(getpid(), SIGTERM)
            return .proxyGone(pid: pid)
        }
        guard requestParentDeathSignalFromKeeperThread(SIGTERM) else { return .unavailable(pid: pid) }
        // The proxy may have died between the check and the request: then no signal comes for it.
        guard getppid() == pid else {
            kill(getpid(), SIGTERM)
            return .proxyGone(pid: pid)
        }
        return .following(pid: pid)
        #else
        return .notUnderProxy
        #endif
    }

    #if os(Linux)
    /// Whether process `pid` exists and has not exited (a zombie has).
    private static func isRunning(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let file = fopen("/proc/\(pid)/stat", "r") else { return true }
        defer { fclose(file) }
        var buffer = [UInt8](repeating: 0, count: 512)
        let read = fread(&buffer, 1, buffer.count, file)
        guard read > 0 else { return true }
        let line = String(decoding: buffer[..<read], as: UTF8.self)
        // `pid (comm) S ...`: the state follows the last ')' (comm may hold one).
        guard let end = line.lastIndex(of: ")") else { return true }
        return line[line.index(after: end)...].split(separator: " ").first != "Z"
    }

    /// `prctl(2)`'s C type with the arguments it takes here: Swift does not import C's variadic functions, so
    /// it is looked up at run time and called through this type (integer arguments go in the same registers
    /// to a variadic function on x86-64 and arm64 Linux).
    private typealias ProcessControl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32

    /// ``requestParentDeathSignal(_:)`` made on a new thread that then sleeps for the life of the process: the
    /// request lasts as long as that thread does. Waits for it and returns whether it was made.
    private static func requestParentDeathSignalFromKeeperThread(_ signal: Int32) -> Bool {
        let made = NIOLockedValueBox(false)
        let done = ConditionLock(value: false)
        DetachedThread.start(stackSize: 64 << 10) {
            let result = requestParentDeathSignal(signal)
            made.withLockedValue { $0 = result }
            done.lock()
            done.unlock(withValue: true)
            while true { pause() }
        }
        done.lock(whenValue: true)
        done.unlock()
        return made.withLockedValue { $0 }
    }

    /// `prctl(PR_SET_PDEATHSIG, signal)`; whether it was made.
    private static func requestParentDeathSignal(_ signal: Int32) -> Bool {
        let setParentDeathSignal: Int32 = 1  // PR_SET_PDEATHSIG, <linux/prctl.h>
        guard let program = dlopen(nil, RTLD_NOW), let symbol = dlsym(program, "prctl") else { return false }
        let prctl = unsafeBitCast(symbol, to: ProcessControl.self)
        return prctl(setParentDeathSignal, UInt(signal), 0, 0, 0) == 0
    }
    #endif
}
