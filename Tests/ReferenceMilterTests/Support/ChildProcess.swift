import Foundation

/// Runs blocking work on a thread of its own, so that a test waiting on a child process never holds
/// one of the cooperative pool's threads (only two on a two-core machine) that every other test needs.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// A child process run to completion: its exit status and everything it wrote.
struct ChildResult: Sendable {
    /// The exit status, or the signal number if it was killed.
    var status: Int32
    /// Its standard output.
    var output: String
    /// Its standard error.
    var errors: String
}

/// Runs the built binaries as a user would, off the cooperative pool.
enum ChildProcess {
    /// Runs `executable` with `arguments`; its output goes to files (never pipes, so that a child that
    /// outlives the test cannot hold the test's output open). Killed, and an error, after `timeout`.
    static func run(
        _ executable: URL, _ arguments: [String], timeout: Duration = .seconds(60)
    ) async throws -> ChildResult {
        try await offPool { try runBlocking(executable, arguments, timeout: timeout) }
    }

    private static func runBlocking(_ executable: URL, _ arguments: [String], timeout: Duration) throws -> ChildResult {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out")
        let errURL = scratch.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while process.isRunning && ContinuousClock.now < deadline { usleep(5_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw ChildProcessError.timedOut(arguments)
        }
        return ChildResult(
            status: process.terminationStatus,
            output: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            errors: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }
}

/// A child process that did not finish in time.
enum ChildProcessError: Error { case timedOut([String]) }
