import Foundation

/// A failure of the interop harness itself (a peer that did not start, a timeout).
struct InteropError: Error, CustomStringConvertible {
    /// What went wrong, with the peer's own output where it helps.
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Runs blocking work on its own thread, so that tests blocked on a peer never starve the cooperative
/// pool that an in-process Swift milter may need.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try work() })
        }
        thread.start()
    }
}

/// The outcome of a finished command.
struct ProcessResult: Sendable {
    /// Exit status, or the signal number if it was killed.
    let status: Int32
    /// Everything it wrote to standard output.
    let stdout: String
    /// Everything it wrote to standard error.
    let stderr: String

    /// Throws unless the command exited 0.
    @discardableResult
    func check(_ what: String) throws -> ProcessResult {
        guard status == 0 else {
            throw InteropError("\(what) exited \(status): \(stderr)\(stdout)")
        }
        return self
    }
}

/// Runs commands to completion with a timeout.
enum ProcessRunner {
    /// Runs `executable` with `arguments`, feeding it `input`, and kills it after `timeout`.
    static func run(
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
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("interop-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let outURL = scratch.appendingPathComponent("out")
        let errURL = scratch.appendingPathComponent("err")
        let inURL = scratch.appendingPathComponent("in")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: inURL.path, contents: input ?? Data())
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = try FileHandle(forReadingFrom: inURL)
        try process.run()
        if !waitForExit(process, timeout: timeout) {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw InteropError("\(executable) \(arguments.joined(separator: " ")) timed out after \(timeout)")
        }
        return ProcessResult(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }

    /// Polls until `process` exits or `timeout` passes; returns whether it exited.
    static func waitForExit(_ process: Process, timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while process.isRunning {
            if ContinuousClock.now >= deadline { return false }
            usleep(10_000)
        }
        return true
    }
}

/// A long-running peer (a milter, smtp-sink): started in the background, its output kept in files,
/// stopped with SIGTERM and then SIGKILL.
final class BackgroundProcess: @unchecked Sendable {
    // @unchecked: `process` is only mutated before `start` returns; Process itself is thread-safe
    // for isRunning / terminate / waitUntilExit.
    private let process = Process()
    /// Standard output and standard error, both appended to this file.
    let logFile: URL
    /// The command line, for messages.
    let commandLine: String

    private init(logFile: URL, commandLine: String) {
        self.logFile = logFile
        self.commandLine = commandLine
    }

    /// Starts `executable`, writing its output to `logFile`.
    static func start(
        _ executable: String, _ arguments: [String], logFile: URL, environment: [String: String]? = nil
    ) throws -> BackgroundProcess {
        let background = BackgroundProcess(
            logFile: logFile, commandLine: ([executable] + arguments).joined(separator: " "))
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logFile)
        background.process.executableURL = URL(fileURLWithPath: executable)
        background.process.arguments = arguments
        if let environment { background.process.environment = environment }
        background.process.standardOutput = handle
        background.process.standardError = handle
        background.process.standardInput = FileHandle.nullDevice
        try background.process.run()
        return background
    }

    /// Whether it is still running.
    var isRunning: Bool { process.isRunning }

    /// Its process id.
    var pid: Int32 { process.processIdentifier }

    /// Everything it has written so far.
    func log() -> String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    /// Sends SIGTERM, waits up to `grace`, then SIGKILL.
    func stop(grace: Duration = .seconds(5)) async {
        _ = try? await offPool { [process] in
            guard process.isRunning else { return }
            process.terminate()
            if !ProcessRunner.waitForExit(process, timeout: grace) {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
    }
}
