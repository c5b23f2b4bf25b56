import Foundation
import MilterReplayKit
import MilterTestSupport
import Testing

/// `--report FILE.html`: one self-contained file that renders in a real browser.
@Suite struct HTMLReportTests {
    @Test func textIsEscapedAndNothingIsFetched() {
        var report = HTMLReport(title: "<script>alert(1)</script>")
        report.sections = [
            .facts(title: "Run", [("command", "milter-replay \"a&b\" '<x>' \u{1B}]0;title\u{07}")]),
            .table(title: "t", headers: ["<h>"], rows: [(["</td><script>"], "fail\" onclick=\"x")]),
        ]
        let html = report.render()
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("&quot;a&amp;b&quot; &#39;&lt;x&gt;&#39; \\u{1b}]0;title\\u{7}"))
        #expect(!html.contains("onclick=\""))
        #expect(html.contains("default-src 'none'"))
        #expect(!html.contains("http://") || !html.contains("src=\"http"))
    }

    @Test func aReplayReportRendersInHeadlessChromium() async throws {
        guard let chromium = ExternalTool.require("chromium"), let python = ExternalTool.require("python3") else {
            return
        }
        let directory = try Scratch.makeDirectory("html-report")
        defer { Scratch.remove(directory) }
        let report = directory.appendingPathComponent("report.html").path
        let replay = try await ReplayBinary.run(
            ["--quiet", "--repeat", "3", "--connections", "2", "--report", report, ReplayBinary.fixture("eml")],
            timeout: .seconds(120))
        #expect(replay.status == 0, "\(replay.stderr)")
        let html = try String(contentsOfFile: report, encoding: .utf8)
        #expect(html.contains("Latency by percentile"))
        #expect(html.contains("Throughput per second"))
        #expect(html.contains("<svg"))

        let screenshot = directory.appendingPathComponent("report.png").path
        let browser = try await ProcessRunner.run(
            chromium,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1100,2400",
                "--enable-logging=stderr", "--v=0", "--user-data-dir=\(directory.path)/profile",
                "--screenshot=\(screenshot)", URL(fileURLWithPath: report).absoluteString,
            ],
            timeout: .seconds(120))
        #expect(FileManager.default.fileExists(atPath: screenshot), "\(browser.stderr)")
        // Page errors reach stderr as console messages or CSP refusals; there must be none.
        let pageErrors = browser.stderr.split(separator: "\n").filter {
            $0.contains("CONSOLE") || $0.contains("Uncaught") || $0.contains("Refused to")
        }
        #expect(pageErrors.isEmpty, "\(pageErrors)")

        // The plot lines are drawn: pixels of the first two series colours (#d62728, #1f77b4).
        let count = try await ProcessRunner.run(
            python, ["-c", PNGColourCount.script, screenshot, "#d62728", "#1f77b4"], timeout: .seconds(120))
        #expect(count.status == 0, "\(count.stderr)")
        let pixels = Dictionary(
            uniqueKeysWithValues: count.stdout.split(separator: "\n").compactMap { line -> (String, Int)? in
                let parts = line.split(separator: " ")
                guard parts.count == 2, let value = Int(parts[1]) else { return nil }
                return (String(parts[0]), value)
            })
        #expect((pixels["#d62728"] ?? 0) > 300, "\(count.stdout)")
        #expect((pixels["#1f77b4"] ?? 0) > 300, "\(count.stdout)")
    }
}
