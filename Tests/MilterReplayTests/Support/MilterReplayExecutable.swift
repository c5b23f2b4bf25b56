import Foundation

/// The `milter-replay` executable SwiftPM builds beside the test bundle (this target depends on it), run for what
/// only its ArgumentParser commands know.
enum MilterReplayExecutable {
    /// Its path.
    static var path: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("milter-replay").path
    }

    /// Runs it with `arguments`; returns its standard output once it has exited 0.
    static func output(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ExecutableFailure(description: "\(path) \(arguments) exited \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A run of the executable that did not exit 0.
struct ExecutableFailure: Error, CustomStringConvertible {
    let description: String
}
