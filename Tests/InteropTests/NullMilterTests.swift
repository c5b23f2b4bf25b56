import Foundation
import MilterTestSupport
import Testing

/// The load yardstick of `interop/`: the C load client and milter-replay complete every message
/// against the minimal epoll milter, with and without NR on every stage. Speed is measured by
/// scripts/load-vs-c-client.sh, never asserted here.
@Suite("C load client and milter-replay against the null milter")
struct NullMilterTests {
    /// Starts `interop/nullmilter` (`--nr` with `noReply`), runs `body` with it, stops it.
    static func withNullMilter(noReply: Bool, _ body: (ScratchPeer) async throws -> Void) async throws {
        let binary = try await CProgram.shared.binary(source: "interop/nullmilter/nullmilter.c", libraries: [])
        let milter = try await ScratchPeer.start("nullmilter") { port, directory in
            try BackgroundProcess.start(
                binary.path, (noReply ? ["--nr"] : []) + [String(port)],
                logFile: directory.appendingPathComponent("nullmilter.log"))
        }
        try await withPeer(milter, body)
    }

    @Test(arguments: [false, true])
    func everyMessageCompletes(noReply: Bool) async throws {
        guard Interop.require(.libmilter) else { return }
        try await Self.withNullMilter(noReply: noReply) { milter in
            try await expectEveryMessageCompletes(port: milter.port)
        }
    }
}
