import Foundation

/// A long-running peer (a milter, smtp-sink): started in the background, its output kept in a file,
/// stopped with SIGTERM and then SIGKILL.
package final class BackgroundProcess: Sendable {
    private let child: ChildProcess
    /// Standard output and standard error, both appended to this file.
    package let logFile: URL

    /// The command line, for messages.
    package var commandLine: String { child.commandLine }

    private init(child: ChildProcess, logFile: URL) {
        self.child = child
        self.logFile = logFile
    }

    /// Starts `executable`, writing its output to `logFile`.
    package static func start(
        _ executable: String, _ arguments: [String], logFile: URL, environment: [String: String]? = nil
    ) throws -> BackgroundProcess {
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logFile)
        let child = try ChildProcess(
            executable, arguments, environment: environment, input: FileHandle.nullDevice, output: handle,
            errors: handle)
        return BackgroundProcess(child: child, logFile: logFile)
    }

    /// Whether it is still running.
    package var isRunning: Bool { child.isRunning }

    /// Its process id.
    package var pid: Int32 { child.pid }

    /// How it ended, or `nil` while it runs.
    package var termination: ChildProcess.Termination? { child.termination }

    /// Everything it has written so far.
    package func log() -> String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    /// Sends SIGTERM, waits up to `grace`, then SIGKILL.
    package func stop(grace: Duration = .seconds(5)) async {
        _ = try? await offPool { [child] in child.terminate(grace: grace) }
    }
}
