import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// QUIT_NC keeps the milter connection for the next SMTP client, whose CONNECT goes with its own macros: a fresh
/// SMTP session on the same socket.
@Suite(.tags(.integration)) struct QuitNewConnectionTests {
    @Test func theNextClientConnectsWithItsOwnMacros() async throws {
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let connection = try await Fixtures.open(milter)
        let first = await connection.send(Fixtures.message)
        let quit = await connection.quitNewConnection()
        let next = SMTPClient(hostname: "next.example", address: "2001:db8::9", port: 2525, helo: "next.example")
        let connect = await connection.connect(as: next)
        let helo = await connection.helo()
        let second = await connection.send(Fixtures.message)
        await connection.quit()
        await milter.stop()
        #expect(first.verdict == .accept && second.verdict == .accept)
        #expect(quit.delivery == .sentWithoutReply)
        #expect(connect.delivery == .awaited && connect.finalReply == .continue)
        #expect(helo.delivery == .awaited)
        #expect(await connection.client == next)
        let events = milter.eventIDs
        guard let reuse = events.firstIndex(of: .quitNewConnection) else {
            Issue.record("no QUIT_NC in \(events)")
            return
        }
        #expect(Array(events[reuse...].prefix(4)) == [.quitNewConnection, .connect, .helo, .mail])
        let connects = milter.commands.compactMap { if case .connect(let info) = $0 { info } else { nil } }
        #expect(
            connects.last == ConnectInfo(hostname: "next.example", address: .inet6(address: "2001:db8::9", port: 2525)))
        let connectMacros = milter.macroPackets.filter { $0.stage == UInt8(ascii: "C") }
        #expect(connectMacros.count == 2)
        let label = connectMacros.last?.macros.first { $0.name == "_" }?.value
        #expect(label == "next.example [2001:db8::9]")
        #expect(milter.commands.contains(.helo("next.example")))
    }
}
