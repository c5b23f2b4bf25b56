import Foundation
import MilterTestSupport
import Testing

/// milter-replay's main thread never needs a file descriptor after start: a run out of descriptors (more
/// `--connections` than `ulimit -n`) must not end in a trap because the main thread could not get one. An
/// async main handed the main thread to libdispatch, whose cleanup for it opens an `eventfd` and traps
/// without one (signal 4, seen on a loaded machine when the main thread got there during the run's storm of
/// `EMFILE`). The shim `interop/shims/main-thread-no-eventfd.c` denies the main thread every `eventfd`, so
/// the moment no longer depends on the machine's load.
@Suite struct MainThreadDescriptorTests {
    @Test(arguments: [[String](), ["--threads", "2"]])
    func aMainThreadWithoutDescriptorsDoesNotTrap(extra: [String]) async throws {
        guard Interop.require(.libmilter) else { return }
        let shim = try await CProgram.shared.binary(
            source: "interop/shims/main-thread-no-eventfd.c", libraries: ["-shared", "-fPIC", "-ldl"])
        var environment = ProcessInfo.processInfo.environment
        environment["LD_PRELOAD"] = shim.path
        let result = try await ProcessRunner.run(
            TestPaths.builtProduct("milter-replay"),
            ["--target", "127.0.0.1:9", "--quiet", TestPaths.fixtures("eml/plain-ascii.eml").path] + extra,
            environment: environment, timeout: .seconds(30))
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("cannot connect to 127.0.0.1:9"), "\(result.stderr)")
        #expect(!result.stderr.contains("Signal"), "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"), "\(result.stderr)")
    }
}
