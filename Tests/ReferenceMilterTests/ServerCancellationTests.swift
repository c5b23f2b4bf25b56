import MilterTestSupport
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import ReferenceMilter

/// `MilterServer.run()` as a service: a `ServiceGroup` cancels its services when one of them fails
/// (the daemon's metrics listener, say), and the server must then end its run instead of waiting on
/// its listener for ever, which left the process running with its stop signals no longer handled.
@Suite(.timingSensitive) struct ServerCancellationTests {
    @Test func cancellingRunStopsTheServer() async throws {
        var configuration = ServerConfiguration(eventLoopThreads: 1, drainTimeout: .milliseconds(200))
        configuration.address = .tcp(host: "127.0.0.1", port: 0)
        let server = MilterServer(
            classifier: RulesClassifier.default, configuration: configuration, logger: quietLogger())
        let port = try #require(try await server.start()?.port)
        let ended = NIOLockedValueBox(false)
        let run = Task {
            try? await server.run()
            ended.withLockedValue { $0 = true }
        }
        run.cancel()
        do {
            _ = try await pollUntil("run() to end after cancellation", timeout: .seconds(60)) {
                ended.withLockedValue { $0 } ? true : nil
            }
        } catch {
            // Without the fix run() never ends: stop the server by hand so the test does not hang.
            try await server.stop()
            _ = await run.result
            throw error
        }
        // The listener is closed: nothing accepts on the port any more.
        await #expect(throws: (any Error).self) { try await TestMTA.connect(port: port) }
    }
}
