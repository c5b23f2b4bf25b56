import Foundation
import MilterTestSupport

/// reload-proxy running reference-milter (both the binaries SwiftPM builds beside the tests) on a
/// unix socket in a private directory, with a rules file the test rewrites between reloads.
///
/// Every wait is async and bounded (``MilterTestSupport/ChildProcess`` underneath): nothing blocks a
/// cooperative thread or waits on Foundation's reaper alone. Use it through ``with(_:)``, which tears
/// it down whether the body returns or throws.
final class ProxyProcess: Sendable {
    private let child: ChildProcess
    let directory: URL
    var socketPath: String { directory.appendingPathComponent("milter.sock").path }
    var rulesPath: String { directory.appendingPathComponent("rules").path }
    var logPath: String { directory.appendingPathComponent("log").path }

    static func binary(_ name: String) -> String { TestPaths.builtProduct(name) }

    /// Starts a proxy with `proxyArguments` as well, whose daemons get `daemonArguments` as well, runs `body`
    /// with it, and stops it (SIGTERM, then SIGKILL) in any case. `environment` replaces the test process's.
    /// `drainSeconds` is the daemons' --drain-timeout and `stopSeconds` the proxy's --stop-timeout: a test whose
    /// sessions must outlast a drain passes 600 for both, which no starved machine reaches.
    static func with<T: Sendable>(
        proxyArguments: [String] = [], daemonArguments: [String] = [], environment: [String: String]? = nil,
        drainSeconds: Int = 25, stopSeconds: Int = 30,
        _ body: (ProxyProcess) async throws -> T
    ) async throws -> T {
        let proxy = try await ProxyProcess(
            proxyArguments: ["--stop-timeout", "\(stopSeconds)"] + proxyArguments,
            daemonArguments: ["--drain-timeout", "\(drainSeconds)"] + daemonArguments, environment: environment)
        do {
            let result = try await body(proxy)
            await proxy.tearDown()
            return result
        } catch {
            await proxy.tearDown()
            throw error
        }
    }

    /// Starts the proxy with rules of generation 0 and waits until the first daemon is ready.
    private init(proxyArguments: [String], daemonArguments: [String], environment: [String: String]?) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("reload-proxy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let logPath = directory.appendingPathComponent("log").path
        let rulesPath = directory.appendingPathComponent("rules").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try Self.writeRules(generation: 0, to: rulesPath)
        child = try ChildProcess(
            Self.binary("reload-proxy"),
            [
                "--listen", "unix:\(directory.appendingPathComponent("milter.sock").path)", "--ready-timeout", "120",
            ] + proxyArguments + [
                Self.binary("reference-milter"), "daemon", "--config", rulesPath,
                "--handshake-timeout", "120",
            ] + daemonArguments,
            environment: environment, input: FileHandle.nullDevice, output: log, errors: log)
        do {
            try await waitForLog("the first daemon", timeout: .seconds(60)) { $0.readyCount >= 1 }
        } catch {
            await tearDown()
            throw error
        }
    }

    /// Every rule set adds `X-Generation: N`, so a reply tells which rules (and so which daemon) served it.
    func writeRules(generation: Int) throws {
        try Self.writeRules(generation: generation, to: rulesPath)
    }

    private static func writeRules(generation: Int, to path: String) throws {
        try "always => add-header \"X-Generation\" \"\(generation)\", accept\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// A rules file no daemon can start with.
    func writeBrokenRules() throws {
        try "always => explode\n".write(toFile: rulesPath, atomically: true, encoding: .utf8)
    }

    var isRunning: Bool { child.isRunning }
    /// The exit status; valid once ``waitForExit(timeout:)`` returned true.
    var exitStatus: Int32 { child.status }
    /// When its exit was seen (``ChildProcess/exitInstant``).
    var exitInstant: ContinuousClock.Instant? { child.exitInstant }

    func signal(_ number: Int32) { kill(child.pid, number) }

    func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Polls the log until `condition` holds; fails after `timeout` or when the proxy has exited.
    func waitForLog(_ what: String, timeout: Duration, _ condition: @escaping (ProxyLog) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition(ProxyLog(text: log())) {
            guard ContinuousClock.now < deadline, child.isRunning else {
                throw ProxyTestError(
                    "waiting for \(what): \(child.isRunning ? "timed out" : "proxy exited")\n\(log())")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits for the proxy to exit, SIGKILLing it after `timeout`; returns whether it exited by itself.
    func waitForExit(timeout: Duration) async -> Bool {
        let child = child
        let exited = (try? await offPool { child.waitForExit(timeout: timeout) }) ?? false
        if !exited { _ = try? await offPool { child.killAndReap() } }
        return exited
    }

    /// Stops everything (SIGTERM, SIGKILL after 40 s) and removes the directory.
    func tearDown() async {
        if child.isRunning {
            signal(SIGTERM)
            _ = await waitForExit(timeout: .seconds(40))
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
