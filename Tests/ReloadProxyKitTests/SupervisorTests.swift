import Testing

@testable import ReloadProxyKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The supervisor as a plain value: one line per event.
@Suite(.timingSensitive) struct SupervisorTests {
    let t0 = ContinuousClock.now
    let policy = SupervisorPolicy(
        readyTimeout: .seconds(5), stopTimeout: .seconds(10), initialBackoff: .milliseconds(100),
        maximumBackoff: .seconds(1))

    /// ``policy`` with `maximumRestarts` failures in a row allowed.
    func policy(maximumRestarts: Int) -> SupervisorPolicy {
        var bounded = policy
        bounded.maximumRestarts = maximumRestarts
        return bounded
    }

    func serving(_ pid: pid_t) -> Supervisor {
        var supervisor = Supervisor(policy: policy)
        _ = supervisor.start(at: t0)
        _ = supervisor.spawned(pid, at: t0)
        _ = supervisor.ready(pid, at: t0)
        return supervisor
    }

    @Test func startsAChildAndAnnouncesReadyOnlyWhenItIs() {
        var supervisor = Supervisor(policy: policy)
        #expect(supervisor.start(at: t0) == [.spawn])
        #expect(!supervisor.spawned(10, at: t0).contains(.notify("READY=1")))
        #expect(supervisor.ready(10, at: t0).contains(.notify("READY=1")))
        #expect(supervisor.serving == 10)
    }

    @Test func reloadReplacesTheOldChildOnlyOnceTheNewOneIsReady() {
        var supervisor = serving(10)
        #expect(supervisor.reload(at: t0).contains(.spawn))
        #expect(supervisor.reload(at: t0).contains(.notify("RELOADING=1")) == false)  // coalesced
        _ = supervisor.spawned(11, at: t0)
        #expect(supervisor.serving == 10)
        let actions = supervisor.ready(11, at: t0)
        #expect(actions.contains(.signal(10, SIGINT)))
        #expect(actions.contains(.spawn))  // the coalesced second reload
        #expect(supervisor.serving == 11)
        #expect(supervisor.exited(10, .exited(0), at: t0).allSatisfy { if case .log = $0 { true } else { false } })
    }

    @Test func aNewChildThatExitsAtStartUpNeverReplacesTheServingOne() {
        var supervisor = serving(10)
        _ = supervisor.reload(at: t0)
        _ = supervisor.spawned(11, at: t0)
        let actions = supervisor.exited(11, .exited(2), at: t0)
        #expect(!actions.contains { if case .signal = $0 { true } else { false } })
        #expect(actions.contains { if case .notify(let state) = $0 { state.hasPrefix("READY=1\n") } else { false } })
        #expect(supervisor.serving == 10)
    }

    /// A failed reload tells systemd so in `STATUS=`, beside the READY=1 that ends the reloading state (alone, it
    /// read as a success in `systemctl status`); the next child ready clears it with an empty `STATUS=`, once.
    @Test func aFailedReloadSetsTheStatusUntilAChildIsReady() {
        var supervisor = serving(10)
        _ = supervisor.reload(at: t0)
        _ = supervisor.spawned(11, at: t0)
        let failed = "READY=1\nSTATUS=reload failed (new child 11 exited with status 2 before it was ready); "
        #expect(
            supervisor.exited(11, .exited(2), at: t0).contains(
                .notify(failed + "the old daemon, child 10, keeps serving")))
        // Not ready in time: the same, with the reason.
        _ = supervisor.reload(at: t0)
        _ = supervisor.spawned(12, at: t0)
        let killed = "READY=1\nSTATUS=reload failed (new child 12 not ready after 5.0 seconds; killed); "
        #expect(
            supervisor.tick(at: t0 + .seconds(5)).contains(.notify(killed + "the old daemon, child 10, keeps serving")))
        _ = supervisor.reload(at: t0 + .seconds(6))
        _ = supervisor.spawned(13, at: t0 + .seconds(6))
        #expect(supervisor.ready(13, at: t0 + .seconds(6)).contains(.notify("READY=1\nSTATUS=")))
        _ = supervisor.reload(at: t0 + .seconds(7))
        _ = supervisor.spawned(14, at: t0 + .seconds(7))
        #expect(supervisor.ready(14, at: t0 + .seconds(7)).contains(.notify("READY=1")))
    }

    @Test func aNewChildThatIsNeverReadyIsKilledAtTheDeadline() {
        var supervisor = serving(10)
        _ = supervisor.reload(at: t0)
        _ = supervisor.spawned(11, at: t0)
        #expect(supervisor.tick(at: t0 + .seconds(4)).isEmpty)
        #expect(supervisor.nextDeadline == t0 + .seconds(5))
        #expect(supervisor.tick(at: t0 + .seconds(5)).contains(.signal(11, SIGKILL)))
        #expect(supervisor.serving == 10)
        #expect(supervisor.children == [10, 11])
    }

    @Test func aCrashedChildIsRestartedWithBackoff() {
        var supervisor = serving(10)
        _ = supervisor.exited(10, .signalled(SIGSEGV), at: t0)
        #expect(supervisor.tick(at: t0 + .milliseconds(99)).isEmpty)
        #expect(supervisor.tick(at: t0 + .milliseconds(100)) == [.spawn])
        _ = supervisor.spawned(11, at: t0)
        _ = supervisor.exited(11, .exited(1), at: t0)
        #expect(supervisor.nextDeadline == t0 + .milliseconds(200))
    }

    /// The serving child dies while a reload's new child starts: the new one takes over, and no
    /// restart spawns a third child beside it (it would no longer be tracked, signalled or awaited).
    @Test func theServingChildDyingDuringAReloadLeavesTheNewOneToTakeOver() {
        var supervisor = serving(10)
        _ = supervisor.reload(at: t0)
        _ = supervisor.spawned(11, at: t0)
        #expect(!supervisor.exited(10, .signalled(SIGSEGV), at: t0).contains(.spawn))
        #expect(supervisor.nextDeadline == t0 + .seconds(5))
        #expect(!supervisor.tick(at: t0 + .milliseconds(150)).contains(.spawn))
        #expect(supervisor.children == [11])
        #expect(supervisor.ready(11, at: t0 + .milliseconds(200)).contains(.notify("READY=1")))
        #expect(supervisor.serving == 11)
        #expect(supervisor.nextDeadline == nil)
        #expect(supervisor.tick(at: t0 + .seconds(2)).isEmpty)
    }

    /// The same, but the new child fails too: then a restart follows, with backoff.
    @Test func theNewChildFailingAfterTheServingOneDiedRestartsOne() {
        var supervisor = serving(10)
        _ = supervisor.reload(at: t0)
        _ = supervisor.spawned(11, at: t0)
        _ = supervisor.exited(10, .signalled(SIGSEGV), at: t0)
        _ = supervisor.exited(11, .exited(1), at: t0)
        #expect(supervisor.children.isEmpty)
        #expect(supervisor.tick(at: t0 + .milliseconds(100)) == [.spawn])
    }

    /// A child retired by a reload that does not finish draining gets SIGKILL after the stop timeout.
    @Test func anOldChildThatNeverFinishesDrainingIsKilled() {
        var supervisor = serving(10)
        _ = supervisor.reload(at: t0)
        _ = supervisor.spawned(11, at: t0)
        #expect(supervisor.ready(11, at: t0 + .seconds(1)).contains(.signal(10, SIGINT)))
        #expect(supervisor.nextDeadline == t0 + .seconds(11))
        #expect(!supervisor.tick(at: t0 + .seconds(10)).contains(.signal(10, SIGKILL)))
        #expect(supervisor.tick(at: t0 + .seconds(11)).contains(.signal(10, SIGKILL)))
        #expect(supervisor.nextDeadline == nil)
        #expect(supervisor.children == [10, 11])
        _ = supervisor.exited(10, .signalled(SIGKILL), at: t0 + .seconds(11))
        #expect(supervisor.children == [11])
        // One that finishes in time is not killed.
        _ = supervisor.reload(at: t0 + .seconds(20))
        _ = supervisor.spawned(12, at: t0 + .seconds(20))
        _ = supervisor.ready(12, at: t0 + .seconds(20))
        _ = supervisor.exited(11, .exited(0), at: t0 + .seconds(21))
        #expect(supervisor.nextDeadline == nil)
        #expect(supervisor.tick(at: t0 + .seconds(40)).isEmpty)
    }

    /// No child was ever ready: the first one failing ends the proxy with status 3, nothing restarted.
    @Test func aFirstChildThatFailsEndsTheProxy() {
        var exits = Supervisor(policy: policy)
        _ = exits.start(at: t0)
        _ = exits.spawned(10, at: t0)
        let actions = exits.exited(10, .exited(2), at: t0)
        #expect(actions.contains(.exit(SupervisorPolicy.gaveUpStatus)))
        #expect(
            actions.contains(
                .log(
                    .error, "child 10 exited with status 2 before it was ready; no child has been ready yet: giving up")
            ))
        #expect(exits.nextDeadline == nil)

        var silent = Supervisor(policy: policy)
        _ = silent.start(at: t0)
        _ = silent.spawned(10, at: t0)
        let killed = silent.tick(at: t0 + .seconds(5))
        #expect(killed.contains(.signal(10, SIGKILL)))
        #expect(killed.contains(.exit(SupervisorPolicy.gaveUpStatus)))

        var unstartable = Supervisor(policy: policy)
        _ = unstartable.start(at: t0)
        #expect(unstartable.spawnFailed("no such file", at: t0).contains(.exit(SupervisorPolicy.gaveUpStatus)))
    }

    /// Restarts after a crash are bounded: a child that dies soon after it is ready counts as a
    /// failure in a row too, and the failure past --max-restarts ends the proxy.
    @Test func restartsInARowAreBounded() {
        var supervisor = Supervisor(policy: policy(maximumRestarts: 2))
        _ = supervisor.start(at: t0)
        _ = supervisor.spawned(10, at: t0)
        _ = supervisor.ready(10, at: t0)
        #expect(
            !supervisor.exited(10, .signalled(SIGSEGV), at: t0).contains { if case .exit = $0 { true } else { false } })
        _ = supervisor.tick(at: t0 + .milliseconds(100))
        _ = supervisor.spawned(11, at: t0 + .milliseconds(100))
        _ = supervisor.ready(11, at: t0 + .milliseconds(100))
        // Ready, then dead 100 ms later: still a failure in a row (the backoff doubled).
        _ = supervisor.exited(11, .signalled(SIGSEGV), at: t0 + .milliseconds(200))
        #expect(supervisor.nextDeadline == t0 + .milliseconds(400))
        _ = supervisor.tick(at: t0 + .milliseconds(400))
        _ = supervisor.spawned(12, at: t0 + .milliseconds(400))
        let actions = supervisor.exited(12, .exited(1), at: t0 + .milliseconds(500))
        #expect(actions.contains(.exit(SupervisorPolicy.gaveUpStatus)))
        #expect(actions.contains(.log(.error, "giving up after 3 failures in a row (--max-restarts 2)")))
    }

    /// Giving up leaves no child without a supervisor: an old one still draining after a reload gets SIGTERM.
    @Test func givingUpStopsTheChildrenLeft() {
        var supervisor = Supervisor(policy: policy(maximumRestarts: 0))
        _ = supervisor.start(at: t0)
        _ = supervisor.spawned(10, at: t0)
        _ = supervisor.ready(10, at: t0)
        _ = supervisor.reload(at: t0)
        _ = supervisor.spawned(11, at: t0)
        _ = supervisor.ready(11, at: t0)  // 10 drains
        let actions = supervisor.exited(11, .signalled(SIGSEGV), at: t0)
        #expect(actions.contains(.signal(10, SIGTERM)))
        #expect(actions.last == .exit(SupervisorPolicy.gaveUpStatus))
    }

    /// A child that served --max-backoff before it died ends the row: the next restart is the first again.
    @Test func aChildThatServedAWhileEndsTheRow() {
        var supervisor = serving(10)
        _ = supervisor.exited(10, .signalled(SIGSEGV), at: t0)
        _ = supervisor.tick(at: t0 + .milliseconds(100))
        _ = supervisor.spawned(11, at: t0 + .milliseconds(100))
        _ = supervisor.ready(11, at: t0 + .milliseconds(100))
        _ = supervisor.exited(11, .signalled(SIGSEGV), at: t0 + .seconds(60))
        #expect(supervisor.nextDeadline == t0 + .seconds(60) + .milliseconds(100))
    }

    /// A child that serves, then exits with the daemon's configuration error status (its --metrics port held by
    /// another process, after --metrics-wait) stays in the row however long it served: --max-restarts bounds
    /// the restarts. It ended the row, and the proxy restarted such a child for ever.
    @Test func aConfigurationErrorAfterServingAWhileStaysInTheRow() {
        var supervisor = Supervisor(policy: policy(maximumRestarts: 1))
        _ = supervisor.start(at: t0)
        _ = supervisor.spawned(10, at: t0)
        _ = supervisor.ready(10, at: t0)
        let first = supervisor.exited(10, .exited(2), at: t0 + .seconds(60))
        #expect(first.contains(.log(.warning, "restarting in 0.1 seconds (failure 1 in a row)")), "\(first)")
        #expect(
            first.contains(
                .log(
                    .error,
                    "child 10 exited with status 2 unexpectedly (a usage or configuration error, its log says "
                        + "which: a failure in a row however long it served)")), "\(first)")
        _ = supervisor.tick(at: t0 + .seconds(60) + .milliseconds(100))
        _ = supervisor.spawned(11, at: t0 + .seconds(61))
        _ = supervisor.ready(11, at: t0 + .seconds(61))
        let second = supervisor.exited(11, .exited(2), at: t0 + .seconds(121))
        #expect(second.contains(.exit(SupervisorPolicy.gaveUpStatus)), "\(second)")
        #expect(second.contains(.log(.error, "giving up after 2 failures in a row (--max-restarts 1)")))
    }

    @Test func backoffDoublesUpToTheMaximum() {
        #expect(policy.backoff(failures: 1) == .milliseconds(100))
        #expect(policy.backoff(failures: 3) == .milliseconds(400))
        #expect(policy.backoff(failures: 30) == .seconds(1))
    }

    @Test func stopPassesTheSignalOnAndExitsZeroWhenAllFinish() {
        var supervisor = serving(10)
        _ = supervisor.reload(at: t0)
        _ = supervisor.spawned(11, at: t0)
        let actions = supervisor.stop(SIGTERM, at: t0)
        #expect(actions.contains(.notify("STOPPING=1")))
        #expect(actions.contains(.signal(10, SIGTERM)) && actions.contains(.signal(11, SIGTERM)))
        #expect(!supervisor.exited(10, .exited(0), at: t0).contains(.exit(0)))
        #expect(supervisor.exited(11, .exited(0), at: t0).contains(.exit(0)))
    }

    @Test func stopKillsWhatIsLeftAfterTheTimeoutAndExitsOne() {
        var supervisor = serving(10)
        _ = supervisor.stop(SIGTERM, at: t0)
        #expect(supervisor.tick(at: t0 + .seconds(10)).contains(.signal(10, SIGKILL)))
        #expect(supervisor.exited(10, .signalled(SIGKILL), at: t0).contains(.exit(1)))
    }

    @Test func waitStatusesAreDecoded() {
        #expect(ChildExit(waitStatus: 3 << 8) == .exited(3))
        #expect(ChildExit(waitStatus: SIGKILL) == .signalled(SIGKILL))
        #expect("\(ChildExit.signalled(SIGKILL))" == "killed by signal 9 (SIGKILL)")
    }
}
