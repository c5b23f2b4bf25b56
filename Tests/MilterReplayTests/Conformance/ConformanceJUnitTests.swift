import MilterReplayKit
import Testing

/// The JUnit report says what the exit status says: only a failed `must` case is a failure.
struct ConformanceJUnitTests {
    @Test func aFailedShouldCaseIsSkippedWithItsReason() throws {
        let should = try #require(Catalogue.named("session.quit-nc-reuse"))
        let must = try #require(Catalogue.all.first { $0.severity == .must })
        #expect(should.severity == .should)
        let onlyShould = [ConformanceResult(should, status: .fail("timeout at CONNECT"), seconds: 0)]
        #expect(!onlyShould.contains { $0.failsRun })
        let xml = ConformanceJUnit.document(onlyShould)
        #expect(xml.contains(#"tests="1" failures="0" skipped="1""#), "\(xml)")
        #expect(xml.contains(#"<skipped message="should: timeout at CONNECT"/>"#))
        #expect(!xml.contains("<failure"))

        let both = onlyShould + [ConformanceResult(must, status: .fail("eof"), seconds: 0)]
        let mixed = ConformanceJUnit.document(both)
        #expect(mixed.contains(#"tests="2" failures="1" skipped="1""#), "\(mixed)")
        #expect(mixed.contains(#"<failure message="[must] eof"/>"#))
    }

    /// The two QUIT_NC cases bound their wait: stock libmilter ignores QUIT_NC after an accepted message.
    @Test func theQuitNewConnectionCasesWaitBriefly() throws {
        for id in ["session.quit-nc-reuse", "session.quit-nc-three-sessions"] {
            let testCase = try #require(Catalogue.named(id))
            guard case .scenario(let scenario) = testCase.kind else {
                Issue.record("\(id) is not a scenario")
                continue
            }
            #expect(scenario.timeout == 5, "\(id)")
            #expect(testCase.summary.contains("Stock libmilter fails it"), "\(id)")
        }
    }
}
