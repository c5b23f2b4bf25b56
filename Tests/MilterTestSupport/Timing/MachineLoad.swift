import Foundation

/// How busy the machine is right now, from the kernel's count of runnable threads.
///
/// At the start of the whole suite, hundreds of tests and dozens of children start at once, and for
/// half a minute 20 to 70 threads compete for two cores. A test that checks a timing (a reply within
/// 300 ms, a timeout at one step and not another) cannot mean anything then: ``settle(timeout:)``
/// waits for that burst to pass.
package enum MachineLoad {
    /// The number of runnable threads (`procs_running` in /proc/stat), or `nil` where it cannot be read.
    package static func runnableThreads() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("procs_running ") {
            return Int(line.dropFirst("procs_running ".count))
        }
        return nil
    }

    /// Waits until the runnable threads have been at most twice the cores for half a second, or
    /// `timeout` has passed (then it returns anyway: a loaded machine slows a test, it does not fail it
    /// here). Returns at once where the count cannot be read.
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
}
