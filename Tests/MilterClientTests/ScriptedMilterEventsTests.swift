import MilterProtocol
import MilterTestSupport
import Testing

/// ``ScriptedMilter/events(during:)`` attributes events to connections: an MTA's earlier connection that goes on
/// sending while a test's session runs (the check that Postfix listens, a QUIT still on its way) does not show
/// among that session's events.
@Suite struct ScriptedMilterEventsTests {
    @Test func eventsOfAnEarlierConnectionAreLeftOut() async throws {
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let earlier = try await TestMTA.connect(port: milter.port, timeout: .seconds(120))
        try await earlier.negotiate()
        let ((), events) = try await milter.events {
            let session = try await TestMTA.connect(port: milter.port, timeout: .seconds(120))
            try await session.negotiate()
            // The earlier connection's commands arrive between this session's.
            try await earlier.send([.helo("earlier.example"), .abort])
            _ = try await pollUntil("the earlier connection's HELO and ABORT", timeout: .seconds(120)) {
                milter.eventIDs.suffix(2) == [.helo, .abort] ? true : nil
            }
            try await session.send([.abort, .quit])
            await session.close()
        }
        try await earlier.send([.quit])
        await earlier.close()
        await milter.stop()
        #expect(events == [.optionNegotiation, .abort, .quit])
        #expect(milter.eventIDs == [.optionNegotiation, .optionNegotiation, .helo, .abort, .abort, .quit, .quit])
    }
}
