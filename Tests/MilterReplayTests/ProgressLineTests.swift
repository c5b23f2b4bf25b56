import MilterTestSupport
import Testing

/// On a terminal (util-linux `script` gives the run a pseudo-terminal), the progress line is cleared before each
/// result row, so no row starts after the progress text (progress text is followed by the clear or a redraw).
struct ProgressLineTests {
    @Test(.enabled(if: ExternalTool.path("script") != nil))
    func theProgressLineIsClearedBeforeEachRow() async throws {
        let command = [
            TestPaths.builtProduct("milter-replay"), "--rate", "5", "--duration", "1.8",
            ReplayBinary.fixture("replay/accept.eml"),
        ].joined(separator: " ")
        let result = try await ProcessRunner.run(
            "/usr/bin/script", ["-qefc", command, "/dev/null"], timeout: .seconds(30))
        #expect(result.status == 0, "\(result.stdout)")
        let clear = "\r\u{1B}[K"
        var rest = Substring(result.stdout)
        while let range = rest.range(of: "msg/s ") {
            rest = rest[range.upperBound...]
            let redrawn = rest.hasPrefix("\r") && rest.dropFirst().first?.isNumber == true
            #expect(rest.hasPrefix(clear) || redrawn, "not cleared before: \(rest.prefix(80).debugDescription)")
        }
        // The last message is scheduled at 1.6 s, so the line (drawn from 1 s on) has shown.
        #expect(result.stdout.contains("msg/s"))
        #expect(result.stdout.contains("accept.eml  accept"))
    }
}
