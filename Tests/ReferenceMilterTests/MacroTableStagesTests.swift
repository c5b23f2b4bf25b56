import MilterProtocol
import Testing

@testable import ReferenceMilter

/// Removing the transaction's stages keeps CONNECT's and HELO's macros, and leaves a copy taken before (the
/// completed message's) as it was.
@Suite struct MacroTableStagesTests {
    private static func filled() -> MacroTable {
        var table = MacroTable()
        for (index, stage) in MacroTable.order.enumerated() {
            table.set(stage: stage, ["i": "Q\(index)", "s\(index)": "v"])
        }
        return table
    }

    @Test func theTransactionStagesGoAndACopyKeepsThem() {
        var table = Self.filled()
        let completed = table
        table.removeTransactionStages()
        #expect(table.stages.keys.sorted() == [MilterCommand.ID.connect.rawValue, MilterCommand.ID.helo.rawValue])
        #expect(table.stage(.connect) == ["i": "Q0", "s0": "v"])
        #expect(table.stage(.helo) == ["i": "Q1", "s1": "v"])
        #expect(table["i"] == "Q1")
        #expect(table["s5"] == nil)
        #expect(completed == Self.filled())
        #expect(completed["i"] == "Q\(MacroTable.order.count - 1)")
        // Again, with nothing left to remove, and after a new transaction's stage.
        table.removeTransactionStages()
        #expect(table.stages.count == 2)
        table.set(stage: MilterCommand.ID.mail.rawValue, ["i": "Q9"])
        #expect(table["i"] == "Q9")
        table.removeTransactionStages()
        #expect(table["i"] == "Q1")
        #expect(table.stages.count == 2)
    }
}
