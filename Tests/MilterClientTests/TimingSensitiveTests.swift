import Foundation
import MilterTestSupport
import Synchronization
import Testing

/// How many cases of ``TimingSensitiveTests/theCasesOfOneTestRunOneAtATime(_:)`` run now.
private let casesRunning = Mutex(0)

/// The gate in front of the timing-sensitive tests: what it counts as load, and where its wait sits.
struct TimingSensitiveTests {
    /// Starts `/bin/sh -c script` with its streams on /dev/null.
    private static func shell(_ script: String) throws -> ChildProcess {
        try ChildProcess(
            "/bin/sh", ["-c", script], input: .nullDevice, output: .nullDevice, errors: .nullDevice)
    }

    @Test func onlyTheProcessAndItsDescendantsCount() async throws {
        // Two busy grandchildren (subshells spinning until their parent is gone) under a shell that
        // waits; beside them, a sleeping process whose tree holds nothing runnable. The machine-wide
        // count would give the sleeper's tree the two spinners and everything else running.
        // Stopped off the cooperative pool (``ChildProcess/stopping(grace:after:)``), not with a blocking `defer`.
        let busy = try Self.shell("spin() { while kill -0 $$ 2>/dev/null; do :; done; }; spin & spin & wait")
        try await busy.stopping(grace: .seconds(5)) {
            // Longer than both waits can take (60 s each): a sleeper that had exited would count as nothing at all.
            let idle = try Self.shell("exec sleep 3600")
            try await idle.stopping(grace: .seconds(5)) {
                // One spinner or both: on a loaded machine a spinner is now and then seen between states (two CI
                // runs never saw exactly 2 in 60 s of sampling); one is enough to show a grandchild counted.
                try await waitUntil { (1...2).contains(MachineLoad.runnableThreads(inTreeOf: busy.pid) ?? 0) }
                try await waitUntil { MachineLoad.runnableThreads(inTreeOf: idle.pid) == 0 }
            }
        }
        // The caller's own thread runs while it counts.
        #expect((MachineLoad.runnableThreads() ?? 0) >= 1)
    }

    @Test func theWaitIsTheTestFunctionsScopeOutsideItsTimeLimit() throws {
        // Swift Testing applies a case's scope inside the case's time limit, the function's outside it.
        let test = try #require(Test.current)
        #expect(TimingSensitiveTrait().scopeProvider(for: test, testCase: nil) != nil)
    }

    @Test(.timingSensitive, arguments: 1...4) func theCasesOfOneTestRunOneAtATime(_ number: Int) async throws {
        // Swift Testing starts the four cases at once; the trait lets one run at a time.
        let alone = casesRunning.withLock {
            $0 += 1
            return $0 == 1
        }
        try await Task.sleep(for: .milliseconds(50))
        casesRunning.withLock { $0 -= 1 }
        #expect(alone, "case \(number)")
    }
}
