import Foundation

/// Runs commands to completion, off the cooperative pool, with a deadline.
package enum ProcessRunner {
    /// Runs `executable` with `arguments`, feeding it `input`, and kills it, and throws, after `timeout`.
    /// Its output goes to files, never pipes, so nothing needs draining and a child that outlives the
    /// test cannot hold the test's output open.
    package static func run(
        _ executable: String, _ arguments: [String], input: Data? = nil,
        environment: [String: String]? = nil, timeout: Duration = .seconds(60)
    ) async throws -> ProcessResult {
        try await offPool {
            try runBlocking(executable, arguments, input: input, environment: environment, timeout: timeout)
        }
    }

    private static func runBlocking(
        _ executable: String, _ arguments: [String], input: Data?, environment: [String: String]?,
        timeout: Duration
    ) throws -> ProcessResult {
        let scratch = try Scratch.makeDirectory("run")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out")
        let errURL = scratch.appendingPathComponent("err")
        let inURL = scratch.appendingPathComponent("in")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: inURL.path, contents: input ?? Data())
        let child = try ChildProcess(
            executable, arguments, environment: environment, input: try FileHandle(forReadingFrom: inURL),
            output: try FileHandle(forWritingTo: outURL), errors: try FileHandle(forWritingTo: errURL))
        guard child.waitForExit(timeout: timeout) else {
            child.killAndReap()
            throw HarnessError("\(child.commandLine) timed out after \(timeout)")
        }
        return ProcessResult(
            status: child.status,
            stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }
}
