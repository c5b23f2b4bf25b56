import MilterCapture
import MilterClient
import MilterProtocol
import Testing

@testable import MilterReplayKit

/// A replayed session of which no step could be compared is "not compared", never "same", and fails the run;
/// streams that look like milter traffic but were not taken are counted with the reason.
struct NotComparedTests {
    /// A recording without the milter's side: no OPTNEG answer, no reply to HELO.
    static func milterSideMissing() -> SessionComparison {
        let script = ReplayScript(
            label: "stream 0", offer: Negotiation.postfixOffer(), negotiationReplies: [], recordedOptions: nil,
            steps: [RecordedStep(number: 1, command: .helo("mx.example.test"), macros: [], packet: 3, replies: [])])
        let replay = ReplayedSession(
            negotiation: StepRecord(
                command: .optionNegotiation, delivery: .awaited,
                replies: [.optionNegotiation(ReplayComparatorTests.answer)]),
            steps: [StepRecord(command: .helo, delivery: .awaited, replies: [.continue])], duration: .zero)
        return ReplayComparator(mask: ReplyMask()).compare(script, with: replay)
    }

    @Test func aSessionWithNothingComparedIsNotTheSame() throws {
        let comparison = Self.milterSideMissing()
        #expect(comparison.compared == 0 && comparison.differences.isEmpty)
        let reason = try #require(comparison.notComparedReason)
        #expect(reason == "the recorded reply is not in the capture (first at step 0 OPTNEG; 2 steps not compared)")
        let outcome = SessionOutcome(sequence: 0, label: "stream 0", result: .compared(comparison), latency: .zero)
        #expect(outcome.status == "not-compared")
        #expect(PcapReport.text(outcome) == "not compared  stream 0: \(reason)\n")
        #expect(PcapReport.json(outcome).contains(#""result":"not-compared""#))
    }

    /// One step, one note: the counts read in the singular.
    @Test func countsOfOneReadInTheSingular() {
        var comparison = SessionComparison()
        comparison.compared = 1
        comparison.unansweredNow = 1
        comparison.unansweredRecorded = 1
        let outcome = SessionOutcome(sequence: 0, label: "stream 0", result: .compared(comparison), latency: .zero)
        let text = PcapReport.text(outcome)
        #expect(text.hasPrefix("same  stream 0  (1 step compared, "), "\(text)")
        #expect(text.contains("note: 1 step the recorded milter answered CONTINUE was not answered now"), "\(text)")
        #expect(text.contains("note: 1 step the recorded milter did not answer (its NO/NR flags) got CONTINUE"))
    }

    @Test func aSessionNotComparedFailsTheRun() {
        let notCompared = SessionOutcome(
            sequence: 0, label: "stream 0", result: .compared(Self.milterSideMissing()), latency: .zero)
        var same = SessionComparison()
        same.compared = 3
        var summary = PcapRunSummary()
        summary.add(SessionOutcome(sequence: 1, label: "stream 1", result: .compared(same), latency: .zero))
        #expect(summary.exitCode == ExitCodes.success)
        summary.add(notCompared)
        #expect(summary.same == 1 && summary.notCompared == 1)
        #expect(summary.exitCode == ExitCodes.mismatch)
        #expect(PcapReport.textSummary(summary, seconds: 1).contains("not compared 1"))
        #expect(PcapReport.jsonSummary(summary, seconds: 1).contains(#""notCompared":1"#))
    }

    /// synthetic-midstream.pcap starts after OPTNEG: without --port nothing identifies it, and the reader
    /// counts it instead of dropping it silently.
    @Test func aMidstreamSessionWithoutPortIsCounted() throws {
        let path = ReplayBinary.fixture("pcap/synthetic-midstream.pcap")
        let loaded = try ScriptReader.load(path: path, options: MilterExtractionOptions())
        #expect(loaded.scripts.isEmpty)
        #expect(loaded.untakenStreams == 1)
        var summary = PcapRunSummary()
        summary.untakenStreams = UntakenStreams(count: loaded.untakenStreams)
        let text = PcapReport.textSummary(summary, seconds: 1)
        #expect(
            text.contains("streams not taken: 1 stream that looks like milter traffic: the capture starts mid-stream"))
        #expect(PcapReport.jsonSummary(summary, seconds: 1).contains(#""untakenStreams":1"#))
    }

    @Test func theMidstreamCaptureIsANamedUsageError() async throws {
        let result = try await ReplayBinary.run(
            ["--pcap", ReplayBinary.fixture("pcap/synthetic-midstream.pcap"), "--target", "127.0.0.1:9"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no milter sessions found (1 stream that looks like milter traffic"))
    }
}
