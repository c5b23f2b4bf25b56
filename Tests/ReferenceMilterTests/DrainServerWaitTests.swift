import MilterProtocol
import MilterTestSupport
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import ReferenceMilter

/// The server's side of the drain deadline: having fired ``DrainDeadline`` on its connections, it waits for
/// them to close (each once its failure verdict is written) instead of closing them straight after, which
/// failed a verdict whose write waited for the MTA to read (`DrainVerdictWriteTests` holds the connection's
/// side). The MTA reads 0.5 s after the verdict is written, or later when the test is starved: the connection
/// waits up to 60 s for it here (2 s by default, which a loaded machine can take between two steps of the test);
/// the server closed the connection at once.
@Suite(.timingSensitive) struct DrainServerWaitTests {
    typealias FullSocketBuffer = DrainVerdictWriteTests.FullSocketBuffer

    @Test(.timeLimit(.minutes(5))) func theServerWaitsForTheVerdictWrittenLateBeforeClosing() async throws {
        let classifier = DrainDeadlineTests.StalledClassifier()
        let logged = try await LoggedMilter.start(classifier, configure: { $0.drainWriteTimeout = .seconds(60) })
        let mta = try await TestMTA.connect(to: logged.milter, timeout: .seconds(30))
        try await mta.negotiate()
        try await mta.send([Cmd.connect, Cmd.helo])
        let replies = Task { try await mta.message(Cmd.message(subject: "slow", queueID: "QWAIT")) }
        try await waitUntil { classifier.started.withLockedValue { $0 } == 1 }

        // From now on the MTA does not read: the server's writes wait, as behind a full socket buffer.
        let channel = try #require(logged.milter.server.openChannels.first)
        let events = NIOLockedValueBox<[DrainVerdictWriteTests.Event]>([])
        let held = try await channel.eventLoop.submit {
            let buffer = FullSocketBuffer(events: events)
            buffer.holding = true
            try channel.pipeline.syncOperations.addHandler(buffer, position: .first)
            return buffer.heldCount
        }.get()

        let shutdown = Task { await logged.milter.shutdown() }
        // The drain timeout (0.2 s) expires: the verdict is written, and waits (a server that closes at once
        // has already closed the connection, failing the write).
        try await waitUntil(timeout: .seconds(30)) {
            held.withLockedValue { $0 } == 1 || !events.withLockedValue { $0 }.isEmpty
        }
        try await Task.sleep(for: .milliseconds(500))
        // The MTA reads: the verdict goes out, then the connection closes. (Not on a loop already shut down.)
        if events.withLockedValue({ $0 }).isEmpty {
            try await channel.eventLoop.submit {
                let context = try channel.pipeline.syncOperations.context(handlerType: FullSocketBuffer.self)
                (context.handler as! FullSocketBuffer).release(context: context)
            }.get()
        }

        #expect(try await replies.value == [DrainDeadlineTests.tempfail], "\(logged.log)")
        #expect(events.withLockedValue { $0 } == [.written([DrainDeadlineTests.tempfail]), .close(lost: 0)])
        #expect(try await mta.isClosed())
        await shutdown.value
        await mta.close()
    }
}
