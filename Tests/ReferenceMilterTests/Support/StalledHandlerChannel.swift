import NIOCore
import NIOEmbedded
import NIOPosix

@testable import ReferenceMilter

/// A connected testing channel whose connection handler's classifier stalls (it starts, and never
/// answers), with `front` (a recorder of replies, a socket that stops taking writes) before the handler.
struct StalledHandlerChannel {
    let channel = NIOAsyncTestingChannel()
    let classifier = DrainDeadlineTests.StalledClassifier()
    let scheduler = ClassificationScheduler(threads: 1, timeout: .seconds(60))

    /// Adds `front` and the handler (charging `ledger`) to the pipeline, then connects.
    static func open(
        ledger: MemoryLedger, front: @escaping @Sendable () -> any ChannelHandler
    ) async throws -> StalledHandlerChannel {
        let connection = StalledHandlerChannel()
        let environment = ConnectionEnvironment(
            classifier: connection.classifier, scheduler: connection.scheduler, options: ProtocolOptions(),
            timeouts: ConnectionTimeouts(), memory: MemoryBudget(), ledger: ledger, logger: quietLogger(),
            observer: nil)
        let channel = connection.channel
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(front())
            try channel.pipeline.syncOperations.addHandler(
                MilterConnectionHandler(environment: environment, refusing: false, connectionID: 1))
        }.get()
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1))
        return connection
    }
}
