import Foundation
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

/// The test milter's ``ScriptedMilter/stop()``: a test that stops it must not leave its connections open
/// until the test process exits (an MTA under test would wait on them for its whole timeout).
@Suite struct ScriptedMilterStopTests {
    /// A connection whose script is paused (it waits for a count nothing raises) is closed by stop():
    /// the MTA reads EOF, well before its own read timeout.
    @Test func stopClosesAnAcceptedConnection() async throws {
        let never = ScriptCounter()
        let milter = try await ScriptedMilter { _ in [.waitFor(never, reaching: 1), .reply(.continue)] }
        let mta = try await TestMTA.connect(port: milter.port, timeout: .seconds(30))
        try await mta.send([.optionNegotiation(Negotiation.postfixOffer())])
        _ = try await pollUntil("the milter to read OPTNEG", timeout: .seconds(30)) {
            milter.commands.isEmpty ? nil : true
        }
        await milter.stop()
        let start = ContinuousClock.now
        #expect(try await mta.isClosed(), "EOF or a reset, not the 30 s read timeout")
        #expect(ContinuousClock.now - start < .seconds(30))
        // The paused script resumes on a closed connection and sends nothing.
        never.increment()
        #expect(milter.commands.map(\.id) == [.optionNegotiation])
        await mta.close()
    }

    /// What an MTA sends as it finishes, while stop() runs, is still read: the client closes right after
    /// QUIT, and tests stop the milter as soon as the client returns, then look for ABORT and QUIT.
    @Test func whatTheMTASendsAsItFinishesIsRead() async throws {
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let mta = try await TestMTA.connect(port: milter.port, timeout: .seconds(30))
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
        let mta = try await TestMTA.connect(unixPath: path, timeout: .seconds(30))
        try await mta.negotiate()
        await milter.stop()
        #expect(try await mta.isClosed())
        await mta.close()
    }
}
