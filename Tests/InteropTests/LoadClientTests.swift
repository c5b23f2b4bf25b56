import Foundation
import MilterTestSupport
import Testing

/// The C load client (interop/loadclient) completes every transaction against libmilter. Speed is
/// measured by scripts/load-vs-c-client.sh, never asserted here.
@Suite("C load client against libmilter")
struct LoadClientTests {
    @Test(arguments: [CMilter.Mode.plain, .headers])
    func everyMessageCompletes(mode: CMilter.Mode) async throws {
        guard Interop.require(.libmilter) else { return }
        let client = try await CProgram.shared.binary(
            source: "interop/loadclient/loadclient.c", libraries: ["-lpthread"])
        try await CMilter.with(mode: mode) { milter in
            let result = try await ProcessRunner.run(
                client.path, ["-c", "4", "-m", "10", "-t", "20", milter.host, String(milter.port)],
                timeout: .seconds(60))
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("connections=4 messages=40 failed_connections=0"))
            #expect(milter.log().components(separatedBy: "cmilter: eom").count - 1 == 40)
        }
    }
}
