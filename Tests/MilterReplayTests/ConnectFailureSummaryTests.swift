import MilterClient
import MilterProtocol
import MilterReplayKit
import Testing

/// When the target dies mid-run, the messages that found no connection are counted by reason, apart from the
/// messages: they are neither messages, nor mismatches, nor throughput.
struct ConnectFailureSummaryTests {
    @Test func failedConnectionsAreCountedByReasonNotAsMessages() {
        let entry = CorpusEntry(
            path: "a.eml",
            message: MilterMessage(sender: EnvelopeAddress(mailbox: ""), recipients: [], headerFields: [], body: []),
            expected: .accept)
        var summary = RunSummary()
        summary.add(
            MessageOutcome(
                sequence: 0, entry: entry, result: TransactionResult(steps: [], verdict: .accept), connectError: nil,
                connectionFindings: [], latency: .milliseconds(1)))
        for sequence in 1...500 {
            let reason = sequence.isMultiple(of: 5) ? "cannot connect to x: timed out" : "cannot connect to x: refused"
            summary.add(
                MessageOutcome(
                    sequence: sequence, entry: entry, result: nil, connectError: reason, connectionFindings: [],
                    latency: .zero))
        }
        #expect(summary.messages == 1)
        #expect(summary.mismatches.isEmpty)
        #expect(summary.connectFailures == 500)
        #expect(
            summary.connectFailuresByReason == [
                "cannot connect to x: refused": 400, "cannot connect to x: timed out": 100,
            ])
        #expect(summary.exitCode == ExitCodes.connectFailed)
    }
}
