import MilterProtocol
import NIOCore
import Testing

@testable import ReferenceMilter

/// What MACRO packets are charged comes back to the ledger when their stages are cleared: the transaction's
/// stages at end of message and ABORT, given back together; CONNECT's and HELO's stay with the connection.
@Suite struct MacroChargeTests {
    private static let stages: [MilterCommand.ID] = [.mail, .recipient, .data, .header, .endOfHeaders, .body]

    /// A message with a MACRO packet before every command of its transaction, a different one per message.
    private static func message(_ index: Int) -> [MilterCommand] {
        let pairs = ["i": "Q\(index)", "{x}": String(repeating: "v", count: index)]
        return [
            Cmd.macros(.mail, pairs), Cmd.mail("a@example.com"), Cmd.macros(.recipient, pairs),
            Cmd.rcpt("b@example.org"),
            Cmd.macros(.data, pairs), .data, Cmd.macros(.header, pairs), Cmd.header("Subject", "s"),
            Cmd.macros(.endOfHeaders, pairs), .endOfHeaders, Cmd.macros(.body, pairs), Cmd.body("x\r\n"),
            Cmd.macros(.endOfMessage, pairs), Cmd.eom, .abort,
        ]
    }

    @Test func theTransactionsMacroChargesComeBackAtEndOfMessage() throws {
        let ledger = MemoryLedger(limit: .max)
        var driver = SessionDriver()
        driver.session = ServerSession(
            needs: ClassifierNeeds(), options: ProtocolOptions(), memory: ConnectionMemory(limit: .max, ledger: ledger))
        try driver.feed([Cmd.offer, Cmd.macros(.connect, ["j": "mx.example"]), Cmd.connect, Cmd.helo])
        let connectionCharge = ledger.total
        #expect(connectionCharge > 0)
        for index in 1...3 {
            try driver.feed(Self.message(index))
            #expect(ledger.total == connectionCharge)
        }
        #expect(driver.classified.count == 3)
        #expect(driver.classified.last?.macros.stage(.header) == ["i": "Q3", "x": "vvv"])
        driver.session.releaseMemory()
        #expect(ledger.total == 0)
    }

    @Test func releasingNothingLeavesTheLedgerAsItIs() {
        let ledger = MemoryLedger(limit: 1_000)
        let memory = ConnectionMemory(limit: 800, ledger: ledger)
        #expect(memory.charge(300))
        memory.release(0)
        memory.release(-5)
        #expect(ledger.total == 300)
        #expect(memory.used == 300)
        memory.release(100)
        #expect(ledger.total == 200)
        #expect(memory.used == 200)
    }
}
