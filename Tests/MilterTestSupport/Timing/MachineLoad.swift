import Foundation

/// How busy the test run is right now, from the kernel's record of its threads.
///
/// At the start of the whole suite, hundreds of tests and dozens of children start at once, and for
/// half a minute 20 to 70 threads compete for two cores. A test that checks a timing (a reply within
/// 300 ms, a timeout at one step and not another) cannot mean anything then: ``settle(timeout:)``
/// waits for that burst to pass.
///
/// Only the test process and its descendants count. The machine-wide count (`procs_running` in
/// /proc/stat) also counts what no test can wait out: another build, a benchmark, the host's other
/// containers (the count is not per namespace). With it, a machine busy for other reasons made every
/// timing-sensitive test wait the whole `settle` timeout while holding one of the two
/// ``TimingSlots``: one HostileMilterTests case took 95 s instead of 6, and cases queued behind
/// others ran out of their 10-minute time limit.
package enum MachineLoad {
    /// The threads that are running or ready to run (state `R`) in process `root` and in every process
    /// descended from it, or `nil` where /proc cannot be read. The caller's own thread is one of them.
    package static func runnableThreads(inTreeOf root: Int32 = getpid()) -> Int? {
        guard FileManager.default.fileExists(atPath: "/proc/\(root)/task") else { return nil }
        var runnable = 0
        var pending = [root]
        var seen: Set<Int32> = []
        while let process = pending.popLast() {
            guard seen.insert(process).inserted else { continue }
            // A process that ended meanwhile has no tasks left to count.
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(process)/task")) ?? []
            for task in tasks {
                let directory = "/proc/\(process)/task/\(task)"
                if state(statLine: read("\(directory)/stat")) == "R" { runnable += 1 }
                // The children this thread started (each thread lists its own).
                pending += read("\(directory)/children").split(separator: " ").compactMap { Int32($0) }
            }
        }
        return runnable
    }

    /// Waits until the runnable threads of the test run have been at most twice the cores for half a
    /// second, or `timeout` has passed (then it returns anyway: a loaded machine slows a test, it does
    /// not fail it here). Returns at once where the count cannot be read.
    package static func settle(timeout: Duration = .seconds(90)) async {
        let limit = 2 * ProcessInfo.processInfo.activeProcessorCount
        let deadline = ContinuousClock.now + timeout
        var quietSamples = 0
        while quietSamples < 5, ContinuousClock.now < deadline {
            guard let runnable = runnableThreads() else { return }
            quietSamples = runnable <= limit ? quietSamples + 1 : 0
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The state letter of a `/proc/…/stat` line: the first field after the command name, which is
    /// in parentheses and may itself hold spaces and parentheses.
    private static func state(statLine line: String) -> Character? {
        guard let close = line.lastIndex(of: ")") else { return nil }
        return line[line.index(after: close)...].first { $0 != " " }
    }

    /// A /proc file's text, empty if it is gone.
    private static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}
