import MilterClient
import MilterProtocol
import MilterReplayKit
import Testing

/// `--rate`: the schedule of intended starts, and how the achieved rate, late starts and the
/// "could not keep up" verdict follow from when messages actually started. Plain arithmetic on
/// durations: no clock is read.
struct PacingTests {
    @Test func messagesAreDueAtTheirIntendedStartWhateverTheLatency() {
        let pacing = Pacing(requestedRate: 200)
        #expect(pacing.interval == .milliseconds(5))
        #expect(pacing.intendedStart(of: 0) == .zero)
        #expect(pacing.intendedStart(of: 1_000) == .seconds(5))
        #expect(Pacing(requestedRate: 0.001).interval == .seconds(1_000))
        #expect(Pacing(requestedRate: 1_000_000).interval == .microseconds(1))
    }

    @Test func theWorkQueueHandsOutTheScheduleInOrder() throws {
        let start = ContinuousClock.now
        let queue = WorkQueue(corpusSize: 3, repeat: 4, duration: nil, rate: 250, start: start)
        var items: [WorkQueue.Item] = []
        while let item = queue.take() { items.append(item) }
        #expect(items.map(\.sequence) == Array(0..<12))
        #expect(items.map(\.entry) == [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2])
        #expect(items.map { try! #require(queue.scheduled($0)) - start } == (0..<12).map { .milliseconds(4 * $0) })
    }

    @Test func startsOnTimeKeepTheRequestedRate() {
        var pacing = Pacing(requestedRate: 1_000)
        for sequence in 0..<5_000 { pacing.started(sequence, lag: .microseconds(Int64(sequence % 300))) }
        #expect(pacing.started == 5_000)
        #expect(pacing.lateStarts == 0)
        #expect(abs(pacing.achievedRate - 1_000) < 1)
        #expect(pacing.keptUp)
    }

    /// A generator that needs 1.5 ms per message at 1,000 messages a second starts each message
    /// later than the one before: it reaches two thirds of the rate, and says so.
    @Test func aGeneratorThatFallsBehindIsReported() {
        var pacing = Pacing(requestedRate: 1_000)
        for sequence in 0..<1_000 { pacing.started(sequence, lag: .microseconds(Int64(500 * sequence))) }
        #expect(abs(pacing.achievedRate - 1_000 / 1.5) < 1)
        #expect(!pacing.keptUp)
        #expect(pacing.lateStarts == 997)
        #expect(pacing.maximumLag == .microseconds(499_500))
        #expect(TextReport.fellBehind(pacing).contains("could not keep the requested rate"))
    }

    /// A message late by one stall counts as late, but the run as a whole kept its rate.
    @Test func oneStallIsALateStartNotAFallingBehind() {
        var pacing = Pacing(requestedRate: 100)
        for sequence in 0..<1_000 { pacing.started(sequence, lag: sequence == 500 ? .milliseconds(40) : .zero) }
        #expect(pacing.lateStarts == 1)
        #expect(pacing.maximumLag == .milliseconds(40))
        #expect(pacing.keptUp)
    }

    @Test func theSummaryCarriesThePacingAndMergesIt() throws {
        let entry = CorpusEntry(
            path: "a.eml",
            message: MilterMessage(sender: EnvelopeAddress(mailbox: ""), recipients: [], headerFields: [], body: []),
            expected: nil)
        var runs: [RunSummary] = [RunSummary(rate: 100), RunSummary(rate: 100)]
        for sequence in 0..<200 {
            var outcome = MessageOutcome(
                sequence: sequence / 2, entry: entry, result: TransactionResult(steps: [], verdict: .accept),
                connectError: nil, connectionFindings: [], latency: .milliseconds(2))
            outcome.startLag = .microseconds(100)
            runs[sequence % 2].add(outcome)
        }
        let line = JSONReport.summary(runs[0], seconds: 1)
        #expect(line.contains(#""rate":{"achieved":"#))
        #expect(line.contains(#""keptUp":true"#))
        let (merged, _) = try SummaryMerge.merge(
            runs.map { try SummaryMerge.decode(JSONReport.summary($0, seconds: 1)) })
        let pacing = try #require(merged.pacing)
        #expect(pacing.requestedRate == 200)
        #expect(pacing.started == 200)
        #expect(abs(pacing.achievedRate - 200) < 1)
        #expect(TextReport.summary(merged, seconds: 1).contains("rate: requested 200.000/s"))
    }
}
