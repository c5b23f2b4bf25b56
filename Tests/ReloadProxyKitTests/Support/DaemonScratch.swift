import Foundation
import MilterTestSupport

/// A scratch directory for a `reference-milter daemon` test: its rules file, socket and log, removed by
/// ``remove()``.
struct DaemonScratch {
    let directory: URL
    let rules: String
    let socket: String
    let logPath: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("daemon-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        rules = directory.appendingPathComponent("rules").path
        socket = directory.appendingPathComponent("s").path
        logPath = directory.appendingPathComponent("log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
    }

    /// Replaces the rules file.
    func write(_ text: String) throws { try text.write(toFile: rules, atomically: true, encoding: .utf8) }

    /// What the daemon logged so far.
    func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// How many times `text` stands in the log.
    func count(_ text: String) -> Int { log().components(separatedBy: text).count - 1 }

    /// Waits up to 30 s for `text` to stand in the log `wanted` times.
    func wait(for text: String, count wanted: Int = 1) async throws {
        _ = try await pollUntil(
            "'\(text)' \(wanted) times in the daemon's log", timeout: .seconds(30), interval: .milliseconds(20)
        ) { count(text) >= wanted ? true : nil }
    }

    /// The log file, for the daemon's standard error.
    func logHandle() throws -> FileHandle { try FileHandle(forWritingTo: URL(fileURLWithPath: logPath)) }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}
