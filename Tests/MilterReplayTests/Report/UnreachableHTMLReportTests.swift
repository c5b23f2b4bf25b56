import Foundation
import MilterTestSupport
import Testing

/// The `--report` of a run that never reached the milter renders in a real browser, with nothing fetched, its
/// result in a row coloured as a failure.
struct UnreachableHTMLReportTests {
    @Test func anUnreachableMilterReportRendersInHeadlessChromium() async throws {
        guard let chromium = ExternalTool.require("chromium"), let python = ExternalTool.require("python3") else {
            return
        }
        let directory = try Scratch.makeDirectory("html-report-unreachable")
        defer { Scratch.remove(directory) }
        let report = directory.appendingPathComponent("report.html").path
        let port = try FreePort.allocate()
        let run = try await ReplayBinary.run(
            ["--target", "127.0.0.1:\(port)", "--report", report, ReplayBinary.fixture("replay/accept.eml")])
        #expect(run.status == 3, "\(run.stderr)")
        let html = try String(contentsOfFile: report, encoding: .utf8)
        #expect(
            html.contains(
                "<tr class=\"fail\"><td>the milter could not be reached</td>"
                    + "<td>cannot connect to 127.0.0.1:\(port): connection refused</td></tr>"), "\(html)")
        // No page error (a CSP refusal, a script), and the text drawn: the body's colour, #222. (The failure row's
        // background, #fde8e8, is too near white for the pixel count to tell apart.)
        let pixels = try await HTMLReportTests.renderedColours(
            report, in: directory, chromium: chromium, python: python, colours: ["#222222"])
        #expect((pixels["#222222"] ?? 0) > 300, "\(pixels)")
    }
}
