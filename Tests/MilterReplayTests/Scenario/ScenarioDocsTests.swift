import Foundation
import MilterReplayKit
import MilterTestSupport
import Testing

/// Every whole scenario shown in docs/scenarios.md and the README parses: the documentation says what the
/// parser reads.
struct ScenarioDocsTests {
    /// The ```yaml blocks of a Markdown file that are whole scenarios (not fragments of one).
    static func scenarios(in relative: String) throws -> [String] {
        let text = try String(contentsOf: TestPaths.root.appendingPathComponent(relative), encoding: .utf8)
        var blocks: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line.trimmingCharacters(in: .whitespaces) == "```yaml" {
                current = []
            } else if let lines = current, line.trimmingCharacters(in: .whitespaces) == "```" {
                blocks.append(lines.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks.filter { block in
            let first = block.split(separator: "\n").first { !$0.hasPrefix("#") && !$0.isEmpty } ?? ""
            return ["id:", "steps:", "negotiate:", "sessions:"].contains { first.hasPrefix($0) }
        }
    }

    @Test(arguments: ["docs/scenarios.md", "README.md"])
    func everyWholeScenarioInTheDocumentationParses(file: String) throws {
        let blocks = try Self.scenarios(in: file)
        #expect(blocks.count >= (file == "README.md" ? 1 : 5), "found \(blocks.count) scenarios in \(file)")
        // The examples name ../mail/newsletter.eml beside a docs/ directory.
        let directory = try Scratch.makeDirectory("scenario-docs")
        defer { Scratch.remove(directory) }
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("mail"), withIntermediateDirectories: true)
        try "Subject: x\n\nUnsubscribe\n".write(
            to: directory.appendingPathComponent("mail/newsletter.eml"), atomically: true, encoding: .utf8)
        let path = directory.appendingPathComponent("docs/example.yaml").path
        for block in blocks {
            do {
                _ = try ScenarioParser.parse(block, file: path)
            } catch {
                Issue.record("\(file): \(error)\n\(block)")
            }
        }
    }
}
