import Foundation
import MilterTestSupport

/// reload-proxy running reference-milter (both the binaries SwiftPM builds beside the tests) on a
/// unix socket in a private directory, with a rules file the test rewrites between reloads.
final class ProxyProcess: @unchecked Sendable {
    // @unchecked: `process` is set up before `init` returns; Process is thread-safe for the calls used.
    private let process = Process()
    let directory: URL
    var socketPath: String { directory.appendingPathComponent("milter.sock").path }
    var rulesPath: String { directory.appendingPathComponent("rules").path }
    var logPath: String { directory.appendingPathComponent("log").path }

    static func binary(_ name: String) -> String { TestPaths.builtProduct(name) }

    /// Starts the proxy with rules of generation 0 and waits until the first daemon is ready.
    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("reload-proxy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: Self.binary("reload-proxy"))
        process.arguments = [
            "--listen", "unix:\(socketPath)", "--ready-timeout", "20", "--stop-timeout", "30",
            Self.binary("reference-milter"), "daemon", "--config", rulesPath, "--drain-timeout", "25",
        ]
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try writeRules(generation: 0)
        try process.run()
        try waitForLog("the first daemon", timeout: .seconds(60)) { $0.readyCount >= 1 }
    }

    /// Every rule set adds `X-Generation: N`, so a reply tells which rules (and so which daemon) served it.
    func writeRules(generation: Int) throws {
        try "always => add-header \"X-Generation\" \"\(generation)\", accept\n"
            .write(toFile: rulesPath, atomically: true, encoding: .utf8)
    }

    /// A rules file no daemon can start with.
    func writeBrokenRules() throws {
        try "always => explode\n".write(toFile: rulesPath, atomically: true, encoding: .utf8)
    }

    var isRunning: Bool { process.isRunning }
    var exitStatus: Int32 { process.terminationStatus }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Polls the log until `condition` holds, failing after `timeout`.
    func waitForLog(_ what: String, timeout: Duration, _ condition: (ProxyLog) -> Bool) throws {
        let deadline = ContinuousClock.now + timeout
        while !condition(ProxyLog(text: log())) {
            guard ContinuousClock.now < deadline, process.isRunning else {
                throw ProxyTestError(
                    "waiting for \(what): \(process.isRunning ? "timed out" : "proxy exited")\n\(log())")
            }
            usleep(20_000)
        }
    }

    /// Waits for the proxy to exit, SIGKILLing it after `timeout`; returns whether it exited by itself.
    func waitForExit(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                return false
            }
            usleep(20_000)
        }
        return true
    }

    /// Stops everything and removes the directory.
    func tearDown() {
        if process.isRunning {
            signal(SIGTERM)
            _ = waitForExit(timeout: .seconds(40))
        }
        try? FileManager.default.removeItem(at: directory)
    }
}

/// The proxy's own log lines, counted.
struct ProxyLog {
    let text: String

    private func count(_ pattern: String) -> Int {
        text.split(separator: "\n").filter { $0.contains("reload-proxy:") && $0.contains(pattern) }.count
    }

    var readyCount: Int { count(" ready") }
    var cleanExits: Int { count("exited with status 0") }
    var startupFailures: Int { count("before it was ready") }
}

struct ProxyTestError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
