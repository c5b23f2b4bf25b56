import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOConcurrencyHelpers
import Testing

/// `BlockingMilterConnection.quit(now:watched:)`: QUIT's findings go to `now` before it returns
/// when the connection is not watched after QUIT, and the handler `watched` makes is made only for
/// a watch, which calls it once when it ends. The milter answers QUIT (which takes no reply) only
/// once the test lets it, so every check is about the order of events, not about time.
@Suite(.tags(.integration)) struct BlockingQuitTests {
    /// What the caller's closures saw: `now`'s findings, how many handlers were made, the handler's findings.
    private struct Seen: Sendable {
        var now: [[Finding]] = []
        var made = 0
        var handled: [[Finding]] = []
    }

    private static func quit(
        _ milter: ScriptedMilter, configuration: MilterClientConfiguration, seen: NIOLockedValueBox<Seen>
    ) async throws -> Seen {
        try await Driver.onThread {
            let connection = try BlockingMilterConnection.open(
                to: .inet(host: "127.0.0.1", port: milter.port), configuration: configuration)
            connection.connect()
            connection.helo()
            _ = connection.send(Fixtures.message)
            connection.quit(
                now: { findings in seen.withLockedValue { $0.now.append(findings) } },
                watched: {
                    seen.withLockedValue { $0.made += 1 }
                    return { findings in seen.withLockedValue { $0.handled.append(findings) } }
                })
            return seen.withLockedValue { $0 }
        }
    }

    @Test func unwatchedQuitHandsItsFindingsBeforeReturningAndMakesNoHandler() async throws {
        let released = ScriptCounter()
        let milter = try await ScriptedMilter(
            script: Scripts.wellBehaved(override: { command in
                command.id == .quit ? [.waitFor(released, reaching: 1), .reply(.continue)] : nil
            }))
        let seen = NIOLockedValueBox(Seen())
        let atReturn = try await Self.quit(milter, configuration: Fixtures.configuration(), seen: seen)
        released.increment()
        await milter.stop()
        #expect(atReturn.now.map { $0.map(\.code) } == [[]])
        #expect(atReturn.made == 0)
        #expect(seen.withLockedValue { $0.handled }.isEmpty)
    }

    @Test func aWatchedQuitMakesOneHandlerCalledWhenTheWatchEnds() async throws {
        let released = ScriptCounter()
        let milter = try await ScriptedMilter(
            script: Scripts.wellBehaved(override: { command in
                command.id == .quit ? [.waitFor(released, reaching: 1), .reply(.continue)] : nil
            }))
        var configuration = Fixtures.configuration()
        configuration.quitDrainTimeout = .seconds(60)
        let seen = NIOLockedValueBox(Seen())
        let atReturn = try await Self.quit(milter, configuration: configuration, seen: seen)
        released.increment()
        await configuration.quitObserver.idle()
        let atEnd = seen.withLockedValue { $0 }
        await milter.stop()
        #expect(atReturn.now.isEmpty)
        #expect(atReturn.made == 1)
        #expect(atReturn.handled.isEmpty)
        #expect(atEnd.now.isEmpty)
        #expect(atEnd.made == 1)
        #expect(atEnd.handled.map { $0.map(\.code) } == [["replyToNoReplyCommand"]])
    }
}
