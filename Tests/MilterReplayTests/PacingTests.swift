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

    /// A milter that stalls every connection: only as many messages as connections ever start, the rest of
    /// those due within the duration never do. The rate counts over the schedule, not the few starts.
    @Test func messagesDueThatNeverStartedCountAgainstTheRate() throws {
        var pacing = Pacing(requestedRate: 200)
        for sequence in 0..<16 { pacing.started(sequence, lag: .microseconds(100)) }
        pacing.scheduled(600)
        #expect(pacing.notStarted == 584)
        #expect(abs(pacing.achievedRate - 16.0 / 3) < 0.01)
        #expect(!pacing.keptUp)
        #expect(TextReport.fellBehind(pacing).contains("584 due never started"))
        #expect(TextReport.summary(RunSummary.paced(pacing), seconds: 5).contains("584 due never started  NOT KEPT UP"))
        let line = JSONReport.summary(RunSummary.paced(pacing), seconds: 5)
        #expect(line.contains(#""keptUp":false"#))
        #expect(line.contains(#""notStarted":584"#))
        let (merged, _) = try SummaryMerge.merge([try SummaryMerge.decode(line)])
        #expect(merged.pacing?.notStarted == 584)
        #expect(merged.pacing?.keptUp == false)
    }

    /// Every message due started, on time: the schedule changes nothing.
    @Test func aScheduleKeptInFullIsTheRequestedRate() {
        var pacing = Pacing(requestedRate: 200)
        for sequence in 0..<600 { pacing.started(sequence, lag: .zero) }
        pacing.scheduled(600)
        #expect(pacing.notStarted == 0)
        #expect(abs(pacing.achievedRate - 200) < 0.01)
        #expect(pacing.keptUp)
    }

    /// The messages due are those the queue hands out when nothing is late: all of a counted run, and those
    /// scheduled strictly before the end of a paced duration.
    @Test(arguments: [(3.0, 200.0), (3.0, 7.0), (1.0, 3.0), (0.5, 1_000.0), (2.0, 0.4)])
    func theQueueKnowsHowManyMessagesAreDue(duration: Double, rate: Double) {
        // A start far enough back that no scheduled start waits, and a deadline that take() does not reach first:
        // the clock is only read against the deadline, so start the queue now with a long duration's margin.
        let queue = WorkQueue(
            corpusSize: 2, repeat: 1, duration: .seconds(duration), rate: rate, start: .now + .seconds(3_600))
        var count = 0
        while queue.take() != nil { count += 1 }
        #expect(queue.due == count)
        #expect(queue.taken == count)
        #expect(WorkQueue(corpusSize: 3, repeat: 4, duration: nil, rate: rate, start: .now).due == 12)
        #expect(WorkQueue(corpusSize: 3, repeat: 4, duration: .seconds(1), rate: nil, start: .now).due == nil)
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

extension RunSummary {
    /// A summary of one message per start of `pacing`, with its schedule.
    static func paced(_ pacing: Pacing) -> RunSummary {
        var summary = RunSummary(rate: pacing.requestedRate)
        let entry = CorpusEntry(
            path: "a.eml",
            message: MilterMessage(sender: EnvelopeAddress(mailbox: ""), recipients: [], headerFields: [], body: []),
            expected: nil)
        for sequence in 0..<pacing.started {
            var outcome = MessageOutcome(
                sequence: sequence, entry: entry, result: TransactionResult(steps: [], verdict: .accept),
                connectError: nil, connectionFindings: [], latency: .milliseconds(2))
            outcome.startLag = .microseconds(100)
            summary.add(outcome)
        }
        if let due = pacing.due { summary.scheduled(due) }
        return summary
    }
}
