import MetricsTestKit
import NIOCore
import NIOEmbedded
import Testing

@testable import ReferenceMilterCLI

/// The metrics connections refused over `--metrics-max-connections` are counted each, and logged at most once a
/// minute with the refusals since the last line; those after the last line are said once the minute has passed,
/// even when no other refusal comes (they were said only with the next refusal a minute later, so a burst's tail
/// could go unsaid for good). On an embedded event loop, whose time moves only when the test says.
@Suite struct MetricsRefusalsTests {
    static let line = "metrics connections refused"

    @Test func refusalsAfterTheLastLineAreSaidOnceTheMinuteHasPassed() throws {
        let loop = EmbeddedEventLoop()
        defer { try? loop.syncShutdownGracefully() }
        let log = LogLines()
        let metrics = TestMetrics()
        let refusals = MetricsRefusals(limit: 2, logger: log.logger(), eventLoop: loop, factory: metrics)
        func said() -> [String] { log.all.filter { $0.contains(Self.line) } }

        refusals.refused()  // the first is said at once
        #expect(said().count == 1 && said().last?.contains("refused=1") == true, "\(log.all)")
        loop.advanceTime(by: .seconds(1))
        refusals.refused()
        refusals.refused()
        loop.advanceTime(by: .seconds(58))
        #expect(said().count == 1, "within the minute: \(log.all)")
        // A minute after the first line, with no refusal since the two: they are said.
        loop.advanceTime(by: .seconds(1))
        #expect(said().count == 2 && said().last?.contains("refused=2") == true, "\(log.all)")
        #expect(said().last?.contains("limit=2") == true, "\(log.all)")
        // Nothing left to say: no line.
        loop.advanceTime(by: .seconds(300))
        #expect(said().count == 2, "\(log.all)")
        // Long after the last line, a refusal is said at once again.
        refusals.refused()
        #expect(said().count == 3 && said().last?.contains("refused=1") == true, "\(log.all)")
        #expect(try metrics.expectCounter("milter_metrics_connections_refused_total").totalValue == 4)
    }

    /// Still at most one line a minute: a refusal just after a flushed line waits a minute from that line.
    @Test func theFlushedLineStartsTheNextMinute() {
        let loop = EmbeddedEventLoop()
        defer { try? loop.syncShutdownGracefully() }
        let log = LogLines()
        let refusals = MetricsRefusals(limit: 1, logger: log.logger(), eventLoop: loop, factory: TestMetrics())
        func said() -> Int { log.all.filter { $0.contains(Self.line) }.count }

        refusals.refused()
        loop.advanceTime(by: .seconds(30))
        refusals.refused()
        loop.advanceTime(by: .seconds(30))  // flushed at 60 s
        #expect(said() == 2, "\(log.all)")
        loop.advanceTime(by: .seconds(10))
        refusals.refused()  // 70 s: the flush waits until 120 s
        loop.advanceTime(by: .seconds(49))
        #expect(said() == 2, "\(log.all)")
        loop.advanceTime(by: .seconds(1))
        #expect(said() == 3, "\(log.all)")
    }

    /// The endpoint's shutdown cancels the flush: nothing is logged after it.
    @Test func stopCancelsThePendingFlush() {
        let loop = EmbeddedEventLoop()
        defer { try? loop.syncShutdownGracefully() }
        let log = LogLines()
        let refusals = MetricsRefusals(limit: 1, logger: log.logger(), eventLoop: loop, factory: TestMetrics())
        refusals.refused()
        refusals.refused()
        refusals.stop()
        loop.advanceTime(by: .seconds(120))
        #expect(log.all.filter { $0.contains(Self.line) }.count == 1, "\(log.all)")
    }
}
