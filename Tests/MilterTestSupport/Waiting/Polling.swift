import Testing

/// Calls `check` every `interval` until it returns a value, or throws after `timeout`. For conditions
/// nothing signals (a file appearing, a peer's queue emptying); the deadline bounds every wait.
///
/// `check` always runs once more after the deadline has passed: when the test process is starved (the
/// cooperative pool busy with other suites' work), a sleep can end long after the deadline, and the
/// condition that became true meanwhile must not be reported as a timeout.
package func pollUntil<T: Sendable>(
    _ what: String, timeout: Duration, interval: Duration = .milliseconds(100), _ check: () async throws -> T?
) async throws -> T {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if let value = try await check() { return value }
        try await Task.sleep(for: interval)
    }
    if let value = try await check() { return value }
    throw HarnessError("timed out after \(timeout) waiting for \(what)")
}

/// Waits up to `timeout` for `condition`, looking every 2 ms, and expects it to hold at the end.
///
/// The default bounds a hang, not the code: a condition another thread or process brings about (a classifier's
/// thread starting, a daemon writing its file) can take tens of seconds when the whole suite loads two cores.
package func waitUntil(
    timeout: Duration = .seconds(60), sourceLocation: SourceLocation = #_sourceLocation, _ condition: () -> Bool
) async throws {
    do {
        _ = try await pollUntil("a condition", timeout: timeout, interval: .milliseconds(2)) {
            condition() ? true : nil
        }
    } catch is HarnessError {
        // The expectation below reports it.
    }
    #expect(condition(), sourceLocation: sourceLocation)
}
