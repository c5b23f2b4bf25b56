import Foundation
import MilterTestSupport
import ReferenceMilter
import Testing

/// Every file in `fixtures/fuzz/rulesfile/` (RulesFileFuzzer's seeds, and inputs that once failed,
/// kept as `regression-*`) goes through the rules parser as the fuzzer drives it: rules, or an
/// error with its line.
@Suite struct RulesFileSeedTests {
    static let directory = TestPaths.fixtures("fuzz/rulesfile")

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter {
            !$0.hasPrefix(".") && !$0.hasPrefix("crash-")
        }.sorted()
    }

    @Test func seedsArePresent() { #expect(Self.files.count >= 2) }

    @Test(arguments: files)
    func parsesOrSaysWhere(_ name: String) throws {
        let bytes = Array(try Data(contentsOf: Self.directory.appendingPathComponent(name)))
        do {
            let rules = try RuleParser.parse(String(decoding: bytes, as: UTF8.self))
            #expect(name.hasPrefix("regression-") || !rules.isEmpty, "the seed \(name) gives no rule")
        } catch {
            #expect(error.line >= 1)
            #expect(!error.description.isEmpty)
        }
    }
}
