import Foundation
import MilterTestSupport

/// The python3-milter peer in `interop/pymilter/pymilter.py` (rules in its docstring), on a free
/// 127.0.0.1 port.
enum PyMilter {
    /// Starts it, runs `body`, then stops it, also when `body` throws.
    static func with<T: Sendable>(_ body: (ScratchPeer) async throws -> T) async throws -> T {
        try await withPeer(try await start(), body)
    }

    /// Starts pymilter.py with /usr/bin/python3 (the one python3-milter is installed for).
    static func start() async throws -> ScratchPeer {
        let script = TestPaths.root.appendingPathComponent("interop/pymilter/pymilter.py")
        return try await ScratchPeer.start("pymilter") { port, directory in
            try BackgroundProcess.start(
                "/usr/bin/python3", [script.path, "inet:\(port)@127.0.0.1"],
                logFile: directory.appendingPathComponent("pymilter.log"))
        }
    }
}
