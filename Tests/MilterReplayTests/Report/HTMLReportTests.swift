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

        let pixels = try await Self.renderedColours(
            report, in: directory, chromium: chromium, python: python, colours: ["#d62728", "#1f77b4"])
        #expect((pixels["#d62728"] ?? 0) > 300, "\(pixels)")
        #expect((pixels["#1f77b4"] ?? 0) > 300, "\(pixels)")
    }

    @Test func aPcapReplayReportListsTheSessions() async throws {
        guard let chromium = ExternalTool.require("chromium"), let python = ExternalTool.require("python3") else {
            return
        }
        let directory = try Scratch.makeDirectory("html-report-pcap")
        defer { Scratch.remove(directory) }
        let report = directory.appendingPathComponent("pcap.html").path
        // Recorded with the libmilter C milter, replayed against the embedded reference milter: different.
        let replay = try await ReplayBinary.run(
            ["--pcap", ReplayBinary.fixture("pcap/postfix-cmilter-any-sll2.pcap"), "--quiet", "--report", report],
            timeout: .seconds(120))
        #expect(replay.status == 1, "\(replay.stderr)")
        let html = try String(contentsOfFile: report, encoding: .utf8)
        #expect(html.contains("milter-replay --pcap: 2 sessions"))
        #expect(html.components(separatedBy: "<tr class=\"fail\">").count - 1 == 2)
        let pixels = try await Self.renderedColours(
            report, in: directory, chromium: chromium, python: python, colours: ["#1f77b4"])
        #expect((pixels["#1f77b4"] ?? 0) > 300, "\(pixels)")
    }

    @Test func aConformanceReportHasTheCaseTableByArea() async throws {
        guard let chromium = ExternalTool.require("chromium"), let python = ExternalTool.require("python3") else {
            return
        }
        let directory = try Scratch.makeDirectory("html-report-conformance")
        defer { Scratch.remove(directory) }
        let report = directory.appendingPathComponent("conformance.html").path
        let run = try await ReplayBinary.run(
            ["conformance", "--only", "abort", "--only", "version", "--report", report], timeout: .seconds(180))
        #expect(run.status == 0, "\(run.stderr)")
        let html = try String(contentsOfFile: report, encoding: .utf8)
        #expect(html.contains("Area: abort"))
        #expect(html.contains("Area: version"))
        #expect(html.contains("<tr class=\"pass\"><td>abort.no-reply</td>"))
        #expect(!html.contains("<tr class=\"fail\">"))
        let pixels = try await Self.renderedColours(
            report, in: directory, chromium: chromium, python: python, colours: ["#1f77b4"])
        #expect((pixels["#1f77b4"] ?? 0) > 300, "\(pixels)")
    }

    /// A run under a second has one point per series in the per-second charts: each is drawn as a dot, not as a
    /// polyline of one point, which draws nothing. Each chart is rendered alone, with the report's style, so that
    /// the percentile curve's pixels do not count; the legend's swatch of each colour is 14 × 4 pixels.
    @Test func aShortRunsPerSecondChartsAreNotBlank() async throws {
        guard let chromium = ExternalTool.require("chromium"), let python = ExternalTool.require("python3") else {
            return
        }
        let directory = try Scratch.makeDirectory("html-report-short")
        defer { Scratch.remove(directory) }
        let report = directory.appendingPathComponent("short.html").path
        let replay = try await ReplayBinary.run(
            ["--quiet", "--report", report, ReplayBinary.fixture("replay/accept.eml")], timeout: .seconds(120))
        #expect(replay.status == 0, "\(replay.stderr)")
        let html = try String(contentsOfFile: report, encoding: .utf8)
        let style = try #require(Self.element("style", of: html))
        for title in ["Throughput per second", "Latency per second"] {
            let start = try #require(html.range(of: "aria-label=\"\(title)\""))
            let open = try #require(
                html.range(of: "<svg", options: .backwards, range: html.startIndex..<start.lowerBound))
            let close = try #require(html.range(of: "</svg>", range: start.upperBound..<html.endIndex))
            let chart = String(html[open.lowerBound..<close.upperBound])
            // One message in well under a second: one point per series.
            #expect(chart.components(separatedBy: "<polyline").count == 3)
            let page = directory.appendingPathComponent("chart.html").path
            try "<!doctype html><html><head>\(style)</head><body>\(chart)</body></html>"
                .write(toFile: page, atomically: true, encoding: .utf8)
            let pixels = try await Self.renderedColours(
                page, in: directory, chromium: chromium, python: python, colours: ["#d62728", "#1f77b4"])
            for colour in ["#d62728", "#1f77b4"] {
                #expect((pixels[colour] ?? 0) > 14 * 4 + 30, "\(title) \(colour): \(pixels)")
            }
        }
    }

    /// The first `<name …>…</name>` element of `html`, whole.
    static func element(_ name: String, of html: String) -> String? {
        guard let open = html.range(of: "<\(name)"),
            let close = html.range(of: "</\(name)>", range: open.upperBound..<html.endIndex)
        else { return nil }
        return String(html[open.lowerBound..<close.upperBound])
    }

    /// Opens `report` in headless Chromium, expects no page errors, and counts the screenshot's pixels of
    /// each colour.
    static func renderedColours(
        _ report: String, in directory: URL, chromium: String, python: String, colours: [String]
    ) async throws -> [String: Int] {
        let screenshot = directory.appendingPathComponent("screenshot.png").path
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
        let count = try await ProcessRunner.run(
            python, ["-c", PNGColourCount.script, screenshot] + colours, timeout: .seconds(120))
        #expect(count.status == 0, "\(count.stderr)")
        return Dictionary(
            uniqueKeysWithValues: count.stdout.split(separator: "\n").compactMap { line -> (String, Int)? in
                let parts = line.split(separator: " ")
                guard parts.count == 2, let value = Int(parts[1]) else { return nil }
                return (String(parts[0]), value)
            })
    }
}
