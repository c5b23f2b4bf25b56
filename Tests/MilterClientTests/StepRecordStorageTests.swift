import MilterClient
import MilterProtocol
import Testing

/// A record keeps its finding and refusal out of line (to stay small when copied at every step):
/// it still behaves as a value with both as plain properties.
@Suite struct StepRecordStorageTests {
    static let finding = Finding(.endOfFile, step: .helo)
    static let refusal = MilterProtocolError(.commandOutOfOrder, commandByte: 0x52, detail: "RCPT before MAIL")

    @Test func findingAndRefusalAreIndependent() {
        var record = StepRecord(command: .recipient, delivery: .notSent)
        record.finding = Self.finding
        record.refusal = Self.refusal
        #expect(record.finding == Self.finding && record.refusal == Self.refusal)
        record.finding = nil
        #expect(record.finding == nil && record.refusal == Self.refusal)
        record.refusal = nil
        #expect(record.refusal == nil)
        // Cleared, it is the record it started as, in equality and hash.
        let fresh = StepRecord(command: .recipient, delivery: .notSent)
        #expect(record == fresh)
        #expect(record.hashValue == fresh.hashValue)
    }

    @Test func aCopyIsAValue() {
        var original = StepRecord(command: .helo, delivery: .awaited, finding: Self.finding)
        let copy = original
        original.finding = nil
        #expect(copy.finding == Self.finding)
        #expect(original != copy)
        var other = copy
        other.finding?.severity = .warning
        #expect(copy.finding?.severity == .error && other.finding?.severity == .warning)
    }
}
