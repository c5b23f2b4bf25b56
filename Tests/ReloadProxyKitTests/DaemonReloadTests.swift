import Foundation
import MilterTestSupport
import Testing

/// `reference-milter daemon` on its own: SIGHUP re-reads --config, keeps the running rules when the
/// new file has an error (logged with line and column), and never stops the daemon.
@Suite("reference-milter daemon SIGHUP", .timeLimit(.minutes(2)))
struct DaemonReloadTests {
    @Test func sighupReloadsGoodRulesAndKeepsThemOverBadOnes() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("daemon-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let rules = directory.appendingPathComponent("rules").path
        let socket = directory.appendingPathComponent("s").path
        let logPath = directory.appendingPathComponent("log").path
        func write(_ text: String) throws { try text.write(toFile: rules, atomically: true, encoding: .utf8) }
        func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
        func wait(for text: String) async throws {
            _ = try await pollUntil("'\(text)' in the daemon's log", timeout: .seconds(30), interval: .milliseconds(20))
            {
                log().contains(text) ? true : nil
            }
        }
        try write("always => add-header \"X-Generation\" \"0\", accept\n")
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let process = try ChildProcess(
            ProxyProcess.binary("reference-milter"),
            ["daemon", "unix:\(socket)", "--config", rules, "--drain-timeout", "5", "--handshake-timeout", "120"],
            input: FileHandle.nullDevice, output: FileHandle.nullDevice,
            errors: try FileHandle(forWritingTo: URL(fileURLWithPath: logPath)))
        try await process.stopping(grace: .seconds(10)) {
            try await wait(for: "listening")
            #expect(await MilterSessions.run(socket).generation == "0")
            try write("always => add-header \"X-Generation\" \"1\", accept\n")
            kill(process.pid, SIGHUP)
            try await wait(for: "reloaded")
            #expect(await MilterSessions.run(socket).generation == "1")
            try write("always => explode\n")
            kill(process.pid, SIGHUP)
            try await wait(for: "reload failed")
            #expect(log().contains("line 1, column 11: unknown action 'explode'"))
            #expect(process.isRunning)
            #expect(await MilterSessions.run(socket).generation == "1")
        }
    }
}
