import Foundation
import Testing

/// Runs real tools (tshark, tcpdump) for interop tests; missing tools skip the test unless MILTER_INTEROP=required.
enum ExternalTool {
    static func path(_ name: String) -> String? {
        for directory in ["/usr/bin", "/usr/sbin", "/usr/local/bin"] {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The tool's path, or nil after printing why the test is skipped (or recording a failure when required).
    static func require(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        if let found = path(name) { return found }
        if ProcessInfo.processInfo.environment["MILTER_INTEROP"] == "required" {
            Issue.record("\(name) is not installed and MILTER_INTEROP=required", sourceLocation: sourceLocation)
        } else {
            print("skipped: \(name) is not installed (run .ci/install-peers)")
        }
        return nil
    }

    /// Runs the tool and returns its standard output; standard error is discarded. The wait happens on a
    /// thread of its own, never on the cooperative pool; the tool is killed, and an error, after `timeout`.
    static func run(
        _ path: String, _ arguments: [String], timeout: Duration = .seconds(120)
    ) async throws -> (status: Int32, output: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try runBlocking(path, arguments, timeout: timeout) }) }.start()
        }
    }

    private static func runBlocking(
        _ path: String, _ arguments: [String], timeout: Duration
    ) throws -> (status: Int32, output: String) {
        let outURL = FileManager.default.temporaryDirectory.appendingPathComponent("tool-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outURL) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while process.isRunning && ContinuousClock.now < deadline { usleep(5_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw ExternalToolError.timedOut(path)
        }
        return (process.terminationStatus, (try? String(contentsOf: outURL, encoding: .utf8)) ?? "")
    }
}

/// An external tool that did not finish in time.
enum ExternalToolError: Error { case timedOut(String) }
