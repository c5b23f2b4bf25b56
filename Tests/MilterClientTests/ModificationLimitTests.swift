import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

/// What a milter's modifications may cost the client: a count and a memory budget per message,
/// each with a finding when exceeded, and a resulting message built in linear time.
@Suite struct ModificationLimitTests {
    private static func replaceBody(_ count: Int, chunk: String) -> [ScriptedMilter.Action] {
        [.together(Array(repeating: .replaceBody(ByteBuffer(string: chunk)), count: count) + [.accept])]
    }

    @Test func moreModificationsThanTheLimitIsAFinding() throws {
        var configuration = Fixtures.configuration()
        configuration.limits.maximumModifications = 5
        let header = MilterReply.addHeader(HeaderField(name: "X-Flood", value: "1"))
        let (result, _, _) = Fixtures.simulateRun(
            Scripts.wellBehaved(endOfMessage: [.together(Array(repeating: header, count: 6) + [.accept])]),
            configuration: configuration)
        let finding = try #require(result.findings.first)
        #expect(finding.kind == .overLimit(.modificationCount(5)))
        #expect(finding.step == .endOfMessage)
        #expect(finding.description == "at BODYEOB: more than 5 modifications in one message")
        #expect(result.verdict == .tempfail)
        #expect(result.resultingMessage == nil)
    }

    /// A budget of 1 MiB keeps the debug-build test short; the default 32 MiB ends the same way,
    /// later (the loopback test in HostileMilterTests runs the default).
    @Test func aMillionReplaceBodyChunksExceedTheMemoryBudget() throws {
        var configuration = Fixtures.configuration()
        configuration.limits.maximumModificationBytes = 1 << 20
        let (result, _, _) = Fixtures.simulateRun(
            Scripts.wellBehaved(endOfMessage: Self.replaceBody(1_000_000, chunk: "x")), configuration: configuration)
        let finding = try #require(result.findings.first)
        #expect(finding.code == "modificationsTooLarge")
        #expect(finding.kind == .overLimit(.modificationBytes(1 << 20)))
        #expect(result.verdict == .tempfail)
        // The step stopped at the budget: it kept 1 MiB / 65 bytes of chunks, not a million.
        let end = try #require(result.steps.first { $0.command == .endOfMessage })
        #expect(end.replies.count == (1 << 20) / 65 + 1)
    }

    /// 100,000 chunks under the budget: appended in place, the body is built once. Copying the
    /// body for each chunk, as before, moves 5e10 bytes.
    @Test(.timeLimit(.minutes(2))) func manyReplaceBodyChunksUnderTheBudgetBuildTheBody() throws {
        let (result, _, _) = Fixtures.simulateRun(
            Scripts.wellBehaved(endOfMessage: Self.replaceBody(100_000, chunk: "0123456789")))
        #expect(result.findings.isEmpty)
        let body = try #require(result.resultingMessage?.body)
        // No line end in the chunks: one line of 1 MB, given CRLF at its end.
        #expect(body.count == 1_000_002)
        #expect(body.prefix(10) == ArraySlice("0123456789".utf8))
    }

    @Test func costCountsMemoryNotWireBytes() {
        #expect(MilterClientLimits.cost(of: .replaceBody(ByteBuffer(string: "x"))) == 65)
        #expect(MilterClientLimits.cost(of: .addHeader(HeaderField(name: "A", value: ""))) == 65)
        #expect(MilterClientLimits.cost(of: .continue) == 64)
    }
}
