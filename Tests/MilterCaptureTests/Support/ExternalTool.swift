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

    /// Runs the tool and returns its standard output; standard error is discarded.
    static func run(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
