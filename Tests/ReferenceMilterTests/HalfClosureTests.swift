import Foundation
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

@testable import ReferenceMilter

/// An MTA that shuts down its side of the connection (a FIN, as a process that exits or calls `shutdown`)
/// has nothing more to send: the daemon closes the connection at once, on TCP and on a UNIX socket, instead of
/// holding it, half open, until the idle timeout (here 600 s; each wait below gives up after 30 s).
@Suite(.tags(.integration)) struct HalfClosureTests {
    @Test func aHalfClosedTCPConnectionIsClosedAtOnce() async throws {
        let milter = try await startMilter { $0.timeouts.idle = .seconds(600) }
        let mta = try await TestMTA.connect(to: milter, timeout: .seconds(30))
        try await Self.halfClose(mta) { milter.server.connectionCount }
        await milter.shutdown()
    }

    @Test func aHalfClosedUnixSocketConnectionIsClosedAtOnce() async throws {
        let path = NSTemporaryDirectory() + "half-closure-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        var configuration = ServerConfiguration(eventLoopThreads: 1, drainTimeout: .milliseconds(200))
        configuration.address = .unix(path: path)
        configuration.timeouts.handshake = .seconds(120)
        configuration.timeouts.idle = .seconds(600)
        let server = MilterServer(
            classifier: RulesClassifier.default, configuration: configuration, logger: quietLogger())
        _ = try await server.start()
        let mta = try await TestMTA.connect(unixPath: path, timeout: .seconds(30))
        try await Self.halfClose(mta) { server.connectionCount }
        try? await server.stop()
    }

    /// Negotiates, shuts the MTA's side down, and expects the daemon to close the connection.
    private static func halfClose(_ mta: TestMTA, open: @escaping @Sendable () -> Int) async throws {
        try await mta.negotiate()
        try await mta.send([Cmd.connect, Cmd.helo])
        try await waitUntil(timeout: .seconds(30)) { open() == 1 }
        try await mta.closeOutput()
        #expect(try await mta.isClosed(), "the daemon kept a half-closed connection open")
        try await waitUntil(timeout: .seconds(30)) { open() == 0 }
        await mta.close()
    }
}
