import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOConcurrencyHelpers
import NIOCore
import Testing

/// The watch after QUIT (`quitDrainTimeout`) runs off the caller's path: `quit()` returns while
/// the milter still holds back what it sends after QUIT, and that reply becomes a finding when
/// the watch ends. The milter here answers QUIT only once the test lets it (a ``ScriptCounter``),
/// so every check is about the order of events, not about how long anything took.
@Suite(.tags(.integration)) struct QuitWatchTests {
    /// A milter that answers QUIT with CONTINUE (which QUIT never takes) once `released` reaches 1.
    private static func lateReplier(_ released: ScriptCounter) async throws -> ScriptedMilter {
        try await ScriptedMilter(
            script: Scripts.wellBehaved(override: { command in
                command.id == .quit ? [.waitFor(released, reaching: 1), .reply(.continue)] : nil
            }))
    }

    /// A configuration watching each connection up to a minute after QUIT, with `observer`.
    private static func watching(_ observer: QuitObserver = QuitObserver()) -> MilterClientConfiguration {
        var configuration = Fixtures.configuration()
        configuration.quitDrainTimeout = .seconds(60)
        configuration.quitObserver = observer
        return configuration
    }

    @Test func quitReturnsWhileTheMilterHoldsItsReplyWhichBecomesAFindingLater() async throws {
        let released = ScriptCounter()
        let milter = try await Self.lateReplier(released)
        let configuration = Self.watching()
        let connection = try await Fixtures.open(milter, configuration: configuration)
        let result = await connection.send(Fixtures.message)
        let atOnce = await connection.quit()
        // The milter cannot have answered QUIT yet: quit() did not wait for the watch.
        let watchedAfterQuit = configuration.quitObserver.watched
        released.increment()
        let late = await connection.findingsAfterQuit()
        await configuration.quitObserver.idle()
        let kept = await connection.connectionFindings
        await milter.stop()
        #expect(result.verdict == .accept)
        #expect(atOnce.isEmpty)
        #expect(watchedAfterQuit == 1)
        #expect(late.map(\.code) == ["replyToNoReplyCommand"])
        #expect(late.first?.step == .quit)
        #expect(kept.map(\.code) == ["replyToNoReplyCommand"])
        #expect(configuration.quitObserver.watched == 0)
    }

    @Test func theHandlerRunsWhenTheWatchEndsBeforeTheObserverIsIdle() async throws {
        let released = ScriptCounter()
        let milter = try await Self.lateReplier(released)
        let configuration = Self.watching()
        let connection = try await Fixtures.open(milter, configuration: configuration)
        let handed = NIOLockedValueBox<[Finding]?>(nil)
        await connection.quit { findings in handed.withLockedValue { $0 = findings } }
        let beforeRelease = handed.withLockedValue { $0 }
        released.increment()
        await configuration.quitObserver.idle()
        let afterIdle = handed.withLockedValue { $0 }
        await milter.stop()
        #expect(beforeRelease == nil)
        #expect(afterIdle?.map(\.code) == ["replyToNoReplyCommand"])
    }

    @Test func aConnectionQuittingWhileTheObserverIsFullClosesAtOnceUnobserved() async throws {
        let released = ScriptCounter()
        let milter = try await Self.lateReplier(released)
        let observer = QuitObserver(maximumConnections: 1)
        let configuration = Self.watching(observer)
        let first = try await Fixtures.open(milter, configuration: configuration)
        let second = try await Fixtures.open(milter, configuration: configuration)
        await first.quit()
        let handed = NIOLockedValueBox<[Finding]?>(nil)
        await second.quit { findings in handed.withLockedValue { $0 = findings } }
        // Not watched: the handler ran before quit returned, with nothing, and nothing is due.
        let secondHandled = handed.withLockedValue { $0 }
        let secondLate = await second.findingsAfterQuit()
        let unobserved = observer.unobserved
        released.increment()
        let firstLate = await first.findingsAfterQuit()
        await observer.idle()
        await milter.stop()
        #expect(secondHandled?.isEmpty == true)
        #expect(secondLate.isEmpty)
        #expect(unobserved == 1)
        #expect(firstLate.map(\.code) == ["replyToNoReplyCommand"])
    }

    @Test func withoutADrainTimeoutQuitClosesAtOnceAndNothingIsWatched() async throws {
        let released = ScriptCounter()
        let milter = try await Self.lateReplier(released)
        let configuration = Fixtures.configuration()
        let connection = try await Fixtures.open(milter, configuration: configuration)
        let atOnce = await connection.quit()
        let late = await connection.findingsAfterQuit()
        released.increment()
        await milter.stop()
        #expect(atOnce.isEmpty)
        #expect(late.isEmpty)
        #expect(configuration.quitObserver.watched == 0)
        #expect(configuration.quitObserver.unobserved == 0)
    }
}
