import Foundation
import MilterCapture
import MilterTestSupport
import Testing

/// The seeds of the capture fuzzers (`fixtures/fuzz/capture/`, `fixtures/fuzz/recordsynthesis/`), and any
/// input that once failed and was kept there, replayed in `swift test` as the fuzzers drive them.
@Suite struct FuzzSeedTests {
    static func files(_ folder: String) -> [String] {
        let directory = TestPaths.fixtures("fuzz/\(folder)").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted()
    }

    static func bytes(_ folder: String, _ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: TestPaths.fixtures("fuzz/\(folder)").appendingPathComponent(name)))
    }

    @Test func seedsArePresent() {
        #expect(Self.files("capture").count >= 5)
        #expect(Self.files("recordsynthesis").count >= 3)
    }

    /// Each capture seed reads, yields its milter sessions and renders them as text, JSON and .eml.
    @Test(arguments: files("capture"))
    func captureSeedIsRead(_ name: String) throws {
        var scanner = MilterCaptureScanner(reader: try CaptureReader(bytes: try Self.bytes("capture", name)))
        var collector = CapturedSessionCollector()
        var sessions = 0
        while let session = try scanner.nextSession(collector: &collector) {
            sessions += 1
            #expect(TranscriptRenderer().render(session).hasPrefix("session "))
            #expect(!JSONTranscriptRenderer().render(session).isEmpty)
            _ = EMLExporter.messages(in: session)
        }
        #expect(sessions >= 1, "\(name): no milter session")
    }

    /// Each record-synthesis seed records a connection whose recording reads back with every payload byte.
    @Test(arguments: files("recordsynthesis"))
    func recordSynthesisSeedReadsBack(_ name: String) throws {
        let problem = recordSynthesisProblem(try Self.bytes("recordsynthesis", name))
        #expect(problem == nil, "\(name): \(problem ?? "")")
    }
}
