#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The reload-proxy's decisions as a plain state machine: one method per event, each returning
/// the actions to run. No processes, signals or clocks inside; see ``ProxyRunLoop`` for those.
///
/// A new child replaces the serving one only once it has reported ready; a child that exits or
/// stays silent during start-up is dropped and the serving one keeps going. When no child has ever
/// been ready, the first one failing ends the proxy (``SupervisorPolicy/gaveUpStatus``): the daemon
/// cannot start (a missing rules file, say) and a restart would fail the same way. A serving child
/// that dies is restarted with backoff, at most ``SupervisorPolicy/maximumRestarts`` times in a row. A child
/// that served ``SupervisorPolicy/maximumBackoff`` ends the row, except one that exits with the daemon's usage or
/// configuration status (``ChildExit/isConfigurationError``): a daemon that serves, then gives up on its
/// `--metrics` port after `--metrics-wait`, would otherwise be restarted for ever.
public struct Supervisor: Sendable {
    /// The instants the supervisor reasons about.
    public typealias Instant = ContinuousClock.Instant

    private let policy: SupervisorPolicy
    /// The child that serves, once one has reported ready.
    public private(set) var serving: pid_t?
    /// The child started but not yet ready, with the instant it must be ready by.
    public private(set) var starting: (pid: pid_t, deadline: Instant)?
    /// Children asked to finish (old ones after a reload, or all on stop), and those killed at start-up.
    public private(set) var leaving: Set<pid_t> = []
    /// When each child retired by a reload gets SIGKILL if it has not finished draining.
    private var drainDeadlines: [pid_t: Instant] = [:]
    private var reloadPending = false
    private var spawnInFlight = false
    private var restartAt: Instant?
    private var failures = 0
    /// Whether any child has reported ready: until one has, a failed start ends the proxy.
    private var everReady = false
    /// When the serving child reported ready: one that served ``SupervisorPolicy/maximumBackoff``
    /// before it died starts the count of failures in a row afresh.
    private var servingSince: Instant?
    private var stopDeadline: Instant?
    private var killedOnStop = false
    /// Whether systemd shows a failed reload's `STATUS=`, for the next child ready to clear.
    private var showsReloadFailure = false

    /// A supervisor with no children yet.
    public init(policy: SupervisorPolicy) {
        self.policy = policy
    }

    /// Whether a stop was requested.
    public var isStopping: Bool { stopDeadline != nil }

    /// Every child still running.
    public var children: Set<pid_t> { leaving.union([serving, starting?.pid].compactMap { $0 }) }

    /// The next instant ``tick(at:)`` has something to do, if any.
    public var nextDeadline: Instant? {
        ([starting?.deadline, restartAt, killedOnStop ? nil : stopDeadline] + drainDeadlines.values.map { $0 })
            .compactMap { $0 }.min()
    }

    /// The proxy starts: spawn the first child.
    public mutating func start(at now: Instant) -> [SupervisorAction] { spawn() }

    /// SIGHUP: start a new child; the current one keeps serving until the new one is ready.
    public mutating func reload(at now: Instant) -> [SupervisorAction] {
        guard !isStopping else { return [] }
        guard starting == nil, !spawnInFlight else {
            reloadPending = true
            return [.log(.info, "SIGHUP while a new child is starting: one more reload follows")]
        }
        restartAt = nil
        return [.notify("RELOADING=1"), .log(.info, "SIGHUP: starting a new child")] + spawn()
    }

    /// The driver started child `pid`.
    public mutating func spawned(_ pid: pid_t, at now: Instant) -> [SupervisorAction] {
        spawnInFlight = false
        if isStopping { return [.signal(pid, SIGTERM)] + leave(pid) }
        starting = (pid, now + policy.readyTimeout)
        return [.log(.info, "child \(pid) started")]
    }

    /// The driver could not start a child (the executable is missing, say).
    public mutating func spawnFailed(_ reason: String, at now: Instant) -> [SupervisorAction] {
        spawnInFlight = false
        return startupFailed("cannot start a child: \(reason)", at: now)
    }

    /// Child `pid` wrote its ready byte.
    public mutating func ready(_ pid: pid_t, at now: Instant) -> [SupervisorAction] {
        guard starting?.pid == pid else { return [] }
        starting = nil
        everReady = true
        servingSince = now
        // A restart scheduled while this child was starting (the serving one died) is not needed now.
        restartAt = nil
        var actions: [SupervisorAction] = [.log(.info, "child \(pid) ready")]
        if let old = serving {
            actions += [.log(.info, "stopping old child \(old) (SIGINT: it drains)"), .signal(old, SIGINT)]
            leaving.insert(old)
            drainDeadlines[old] = now + policy.stopTimeout
        }
        serving = pid
        // A failed reload's STATUS= stays in `systemctl status` until replaced: an empty one clears it.
        actions.append(.notify(showsReloadFailure ? "READY=1\nSTATUS=" : "READY=1"))
        showsReloadFailure = false
        return actions + followPendingReload(at: now)
    }

    /// Child `pid` ended.
    public mutating func exited(_ pid: pid_t, _ how: ChildExit, at now: Instant) -> [SupervisorAction] {
        var actions: [SupervisorAction]
        drainDeadlines[pid] = nil
        if leaving.remove(pid) != nil {
            actions = [.log(how.isSuccess ? .info : .warning, "child \(pid) \(how)")]
        } else if starting?.pid == pid {
            starting = nil
            actions = startupFailed("\(childName) \(pid) \(how) before it was ready", at: now)
        } else if serving == pid {
            serving = nil
            // A child that served a while is not part of a crash loop, unless it ended with a configuration
            // error: that comes back on every restart, however long each child serves.
            if let since = servingSince, since + policy.maximumBackoff <= now, !how.isConfigurationError {
                failures = 0
            }
            servingSince = nil
            actions = [.log(.error, "child \(pid) \(how) unexpectedly\(Self.configurationNote(how))")]
            if let next = starting?.pid {
                actions.append(.log(.info, "new child \(next) is starting: it takes over once ready"))
            } else if !isStopping, !spawnInFlight {
                actions += scheduleRestart(at: now)
            }
        } else {
            return []
        }
        if isStopping && children.isEmpty && !spawnInFlight {
            actions.append(.exit(killedOnStop ? 1 : 0))
        }
        return actions
    }

    /// Time passed: enforce the ready and stop deadlines, and restart after backoff.
    public mutating func tick(at now: Instant) -> [SupervisorAction] {
        var actions: [SupervisorAction] = []
        if let (pid, deadline) = starting, deadline <= now {
            starting = nil
            actions += [.signal(pid, SIGKILL)] + leave(pid)
            actions += startupFailed("\(childName) \(pid) not ready after \(policy.readyTimeout); killed", at: now)
        }
        if let at = restartAt, at <= now, !isStopping {
            restartAt = nil
            // Never a second child beside one that is starting: it would no longer be tracked.
            if starting == nil, !spawnInFlight { actions += spawn() }
        }
        for (pid, deadline) in drainDeadlines.sorted(by: { $0.key < $1.key }) where deadline <= now {
            drainDeadlines[pid] = nil
            actions += [
                .log(.error, "old child \(pid) still draining \(policy.stopTimeout) after SIGINT: SIGKILL"),
                .signal(pid, SIGKILL),
            ]
        }
        if let deadline = stopDeadline, deadline <= now, !killedOnStop {
            killedOnStop = true
            let left = children.sorted()
            if !left.isEmpty {
                actions.append(.log(.error, "children \(left) still running after \(policy.stopTimeout): SIGKILL"))
            }
            actions += left.map { .signal($0, SIGKILL) }
        }
        return actions
    }

    /// SIGTERM or SIGINT to the proxy: pass `signal` to every child and wait for them up to the stop timeout.
    public mutating func stop(_ signal: Int32, at now: Instant) -> [SupervisorAction] {
        guard !isStopping else { return [] }
        stopDeadline = now + policy.stopTimeout
        restartAt = nil
        servingSince = nil
        drainDeadlines = [:]
        reloadPending = false
        let all = children.sorted()
        leaving = Set(all)
        serving = nil
        starting = nil
        var actions: [SupervisorAction] = [
            .notify("STOPPING=1"), .log(.info, "stopping: signal \(signal) to children \(all)"),
        ]
        actions += all.map { .signal($0, signal) }
        if all.isEmpty && !spawnInFlight { actions.append(.exit(0)) }
        return actions
    }

    /// What the log adds to a child's exit with the daemon's configuration error status.
    private static func configurationNote(_ how: ChildExit) -> String {
        guard how.isConfigurationError else { return "" }
        return " (a usage or configuration error, its log says which: a failure in a row however long it served)"
    }

    /// How a starting child is named in the log: the first one is not "new".
    private var childName: String { everReady ? "new child" : "child" }

    private mutating func spawn() -> [SupervisorAction] {
        spawnInFlight = true
        return [.spawn]
    }

    private mutating func leave(_ pid: pid_t) -> [SupervisorAction] {
        leaving.insert(pid)
        return []
    }

    private mutating func startupFailed(_ why: String, at now: Instant) -> [SupervisorAction] {
        guard !isStopping else { return [.log(.warning, why)] }
        guard let old = serving else {
            guard everReady else {
                // Nothing to keep serving and nothing that ever worked: a restart would fail the same way.
                return giveUp("\(why); no child has been ready yet: giving up")
            }
            return [.log(.error, why)] + scheduleRestart(at: now)
        }
        // A child starting beside a serving one is a reload's. READY=1 ends systemd's reloading state; STATUS=
        // tells `systemctl status` that it failed, which READY=1 alone reported as a success.
        showsReloadFailure = true
        let status = "reload failed (\(why)); the old daemon, child \(old), keeps serving"
        let actions: [SupervisorAction] = [
            .log(.error, "\(why); child \(old) keeps serving"),
            .notify("READY=1\nSTATUS=" + status.split(whereSeparator: \.isNewline).joined(separator: " ")),
        ]
        return actions + followPendingReload(at: now)
    }

    private mutating func scheduleRestart(at now: Instant) -> [SupervisorAction] {
        failures += 1
        guard failures <= policy.maximumRestarts else {
            return giveUp("giving up after \(failures) failures in a row (--max-restarts \(policy.maximumRestarts))")
        }
        let delay = policy.backoff(failures: failures)
        restartAt = now + delay
        return [.log(.warning, "restarting in \(delay) (failure \(failures) in a row)")]
    }

    /// The proxy ends with ``SupervisorPolicy/gaveUpStatus``; children still there (old ones draining
    /// after a reload, one just killed) get SIGTERM so that none is left behind without a supervisor.
    private mutating func giveUp(_ line: String) -> [SupervisorAction] {
        restartAt = nil
        return [.log(.error, line)] + children.sorted().map { .signal($0, SIGTERM) }
            + [.exit(SupervisorPolicy.gaveUpStatus)]
    }

    private mutating func followPendingReload(at now: Instant) -> [SupervisorAction] {
        guard reloadPending else { return [] }
        reloadPending = false
        return reload(at: now)
    }
}
