import Foundation
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

/// The test milter's ``ScriptedMilter/stop()``: a test that stops it must not leave its connections open
/// until the test process exits (an MTA under test would wait on them for its whole timeout).
@Suite struct ScriptedMilterStopTests {
    /// A connection whose script is paused (it waits for a count nothing raises) is closed by stop():
    /// the MTA reads EOF, not its own read timeout. That timeout counts from the connect and is long
    /// (120 s) because a full parallel test run can starve this test for tens of seconds; `isClosed()`
    /// tells the timeout from a close.
    @Test func stopClosesAnAcceptedConnection() async throws {
        let never = ScriptCounter()
        let milter = try await ScriptedMilter { _ in [.waitFor(never, reaching: 1), .reply(.continue)] }
        let mta = try await TestMTA.connect(port: milter.port, timeout: .seconds(120))
        try await mta.send([.optionNegotiation(Negotiation.postfixOffer())])
        _ = try await pollUntil("the milter to read OPTNEG", timeout: .seconds(60)) {
            milter.commands.isEmpty ? nil : true
        }
        await milter.stop()
        #expect(try await mta.isClosed(), "EOF or a reset, not the MTA's own read timeout")
        // The paused script resumes on a closed connection and sends nothing.
        never.increment()
        #expect(milter.commands.map(\.id) == [.optionNegotiation])
        await mta.close()
    }

    /// What an MTA sends as it finishes, while stop() runs, is still read: the client closes right after
    /// QUIT, and tests stop the milter as soon as the client returns, then look for ABORT and QUIT.
    @Test func whatTheMTASendsAsItFinishesIsRead() async throws {
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let mta = try await TestMTA.connect(port: milter.port, timeout: .seconds(120))
        _ = try await mta.negotiate()
        let stopped = Task { await milter.stop(grace: .seconds(30)) }
        try await mta.send([.abort, .quit])
        await mta.close()
        await stopped.value
        #expect(milter.commands.map(\.id) == [.optionNegotiation, .abort, .quit])
    }

    /// A connection the milter has answered on and that is idle is closed too, over a unix-domain socket.
    @Test func stopClosesAnIdleConnectionOnAUnixSocket() async throws {
        let directory = try Scratch.makeDirectory("scripted-stop")
        defer { Scratch.remove(directory) }
        let path = directory.appendingPathComponent("milter.sock").path
        let milter = try await ScriptedMilter(unixPath: path, script: Scripts.wellBehaved())
        let mta = try await TestMTA.connect(unixPath: path, timeout: .seconds(120))
        try await mta.negotiate()
        await milter.stop()
        #expect(try await mta.isClosed())
        await mta.close()
    }
}
