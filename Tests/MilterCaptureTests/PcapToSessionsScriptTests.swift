import MilterTestSupport
import Testing

/// `scripts/pcap-to-sessions.py` (the C load client's session files) splits streams as ``TCPReassembler`` does:
/// its own checks, in `scripts/pcap-to-sessions-test.py`, build small captures with Python's `struct`.
@Suite struct PcapToSessionsScriptTests {
    @Test func theScriptsOwnChecksPass() async throws {
        guard let python = ExternalTool.require("python3") else { return }
        let script = TestPaths.root.appendingPathComponent("scripts/pcap-to-sessions-test.py").path
        let result = try await ProcessRunner.run(python, [script], timeout: .seconds(60))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("Ran 3 tests"), "\(result.stderr)")
    }
}
