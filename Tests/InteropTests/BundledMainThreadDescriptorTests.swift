import Foundation
import MilterTestSupport
import Testing

/// reference-milter and reload-proxy keep their main threads out of libdispatch, as milter-replay does
/// (``MainThreadDescriptorTests``): with the shim `interop/shims/main-thread-no-eventfd.c` the main thread gets
/// no `eventfd`, and an async main trapped (signal 4) in libdispatch's cleanup for it before doing anything.
@Suite(.timeLimit(.minutes(2))) struct BundledMainThreadDescriptorTests {
    /// The environment with the shim preloaded.
    private static func shimmed() async throws -> [String: String] {
        let shim = try await CProgram.shared.binary(
            source: "interop/shims/main-thread-no-eventfd.c", libraries: ["-shared", "-fPIC", "-ldl"])
        var environment = ProcessInfo.processInfo.environment
        environment["LD_PRELOAD"] = shim.path
        return environment
    }

    @Test func referenceMilterTestRunsWithoutAMainThreadDescriptor() async throws {
        guard Interop.require(.libmilter) else { return }
        let result = try await ProcessRunner.run(
            TestPaths.builtProduct("reference-milter"), ["test", TestPaths.fixtures("eml/plain-ascii.eml").path],
            environment: try await Self.shimmed(), timeout: .seconds(30))
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("ACCEPT"), "\(result.stdout)")
        #expect(!result.stderr.contains("Signal"), "\(result.stderr)")
    }

    /// The daemon serves and stops on SIGTERM with exit status 0, under reload-proxy (which passes the shim on
    /// to it): the proxy's child and the proxy both run without a main-thread descriptor.
    @Test func reloadProxyAndItsDaemonRunWithoutAMainThreadDescriptor() async throws {
        guard Interop.require(.libmilter) else { return }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("main-fd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let logPath = directory.appendingPathComponent("log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        func text() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
        let proxy = try ChildProcess(
            TestPaths.builtProduct("reload-proxy"),
            [
                "--listen", "unix:\(directory.appendingPathComponent("s").path)", "--ready-timeout", "20",
                TestPaths.builtProduct("reference-milter"), "daemon",
            ],
            environment: try await Self.shimmed(), input: FileHandle.nullDevice, output: log, errors: log)
        try await proxy.stopping(grace: .seconds(20)) {
            let ready = try await pollUntil("the daemon ready under reload-proxy", timeout: .seconds(30)) {
                if text().contains("reference-milter: listening") && text().contains(" ready") { return true }
                return proxy.isRunning ? nil : false
            }
            try #require(ready, "the proxy exited: \(text())")
            proxy.signal(SIGTERM)
            #expect(await proxy.exit(within: .seconds(20)), "\(text())")
        }
        #expect(proxy.termination == .exited(0), "\(text())")
        #expect(text().contains("reference-milter: stopped"), "\(text())")
        #expect(!text().contains("Signal"), "\(text())")
    }
}
