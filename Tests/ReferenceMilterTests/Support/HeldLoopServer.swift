import MilterTestSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

@testable import ReferenceMilter

/// A milter server on one event loop whose connection holds that loop from inside, at points the test
/// chooses: the test need not get the CPU before a short deadline to hold the loop, as it must when it submits
/// the hold from outside. A connection's `channelActive` waits until ``LoopHolds/activate()``, so that its
/// handshake and watchdog timers start only once the test has sent what comes before the hold.
struct HeldLoopServer {
    let holds: LoopHolds
    let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let listener: any Channel
    private let scheduler: ClassificationScheduler

    /// Starts the server on 127.0.0.1, a free port, with the default rules and `timeouts`.
    static func start(timeouts: ConnectionTimeouts) async throws -> HeldLoopServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let scheduler = ClassificationScheduler(threads: 1, timeout: .seconds(600))
        let environment = ConnectionEnvironment(
            classifier: RulesClassifier.default, scheduler: scheduler, options: ProtocolOptions(),
            timeouts: timeouts, memory: MemoryBudget(), ledger: MemoryLedger(limit: .max), logger: quietLogger(),
            observer: nil)
        let holds = LoopHolds()
        let listener = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(LoopHoldHandler(holds: holds))
                    try channel.pipeline.syncOperations.addHandler(
                        MilterConnectionHandler(environment: environment, refusing: false, connectionID: 1))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = listener.localAddress?.port else { throw HarnessError("the server has no port") }
        return HeldLoopServer(holds: holds, port: port, group: group, listener: listener, scheduler: scheduler)
    }

    private init(
        holds: LoopHolds, port: Int, group: MultiThreadedEventLoopGroup, listener: any Channel,
        scheduler: ClassificationScheduler
    ) {
        self.holds = holds
        self.port = port
        self.group = group
        self.listener = listener
        self.scheduler = scheduler
    }

    /// Lets every hold go, closes the listener and the connections, and stops the threads.
    func shutdown() async {
        holds.releaseAll()
        try? await listener.close()
        scheduler.shutdown()
        try? await group.shutdownGracefully()
    }
}

/// What the connections of a ``HeldLoopServer`` wait for, and the one hold a test arms.
final class LoopHolds: Sendable {
    fileprivate struct State {
        var active = false
        var afterWrite: (@Sendable (ByteBuffer) -> Bool)?
        var afterRead = false
        var heldSince: ContinuousClock.Instant?
        var released = false
    }

    private let state = NIOLockedValueBox(State())

    /// Lets the connection become active: its timers start now.
    func activate() { state.withLockedValue { $0.active = true } }

    /// Arms the hold: once the server has flushed a write that `matches`, the loop is held until ``release()``.
    func holdAfterWrite(where matches: @escaping @Sendable (ByteBuffer) -> Bool) {
        state.withLockedValue { $0.afterWrite = matches }
    }

    /// Arms the hold: once the server has handled its next read, the loop is held until ``release()``.
    func holdAfterNextRead() { state.withLockedValue { $0.afterRead = true } }

    /// When the hold began, once the loop is held (waiting up to `timeout` for it).
    func held(timeout: Duration = .seconds(120)) async throws -> ContinuousClock.Instant {
        try await pollUntil("the loop held", timeout: timeout, interval: .milliseconds(2)) {
            state.withLockedValue { $0.heldSince }
        }
    }

    /// Ends the hold.
    func release() { state.withLockedValue { $0.released = true } }

    /// Ends every wait, the test's last step.
    func releaseAll() {
        state.withLockedValue {
            $0.active = true
            $0.released = true
        }
    }

    /// Whether the write disarms the hold: the write-hold matched it.
    fileprivate func takeWriteHold(_ buffer: ByteBuffer) -> Bool {
        state.withLockedValue {
            guard let matches = $0.afterWrite, matches(buffer) else { return false }
            $0.afterWrite = nil
            return true
        }
    }

    /// Whether the read disarms the hold.
    fileprivate func takeReadHold() -> Bool {
        state.withLockedValue { state in
            defer { state.afterRead = false }
            return state.afterRead
        }
    }

    /// Blocks the calling event loop until `flag` is set, or ten minutes have passed (a guard against a hung
    /// suite, not a deadline of the test).
    fileprivate func block(until flag: KeyPath<State, Bool>, markingHeld: Bool) {
        let giveUp = ContinuousClock.now + .seconds(600)
        if markingHeld { state.withLockedValue { $0.heldSince = .now } }
        while !state.withLockedValue({ $0[keyPath: flag] }), ContinuousClock.now < giveUp { usleep(2_000) }
    }

    fileprivate func waitForActivation() { block(until: \.active, markingHeld: false) }
    fileprivate func hold() { block(until: \.released, markingHeld: true) }
}

/// First in a ``HeldLoopServer`` connection's pipeline: delays `channelActive`, and holds the loop after the
/// armed read or write, as a task queued on the loop, the way another connection's work would hold it.
private final class LoopHoldHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let holds: LoopHolds
    private var holdAfterFlush = false

    init(holds: LoopHolds) { self.holds = holds }

    func channelActive(context: ChannelHandlerContext) {
        holds.waitForActivation()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
        if holds.takeReadHold() { holdLoop(context: context) }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if holds.takeWriteHold(unwrapOutboundIn(data)) { holdAfterFlush = true }
        context.write(data, promise: promise)
    }

    func flush(context: ChannelHandlerContext) {
        context.flush()
        guard holdAfterFlush else { return }
        holdAfterFlush = false
        holdLoop(context: context)
    }

    private func holdLoop(context: ChannelHandlerContext) {
        let holds = holds
        context.eventLoop.execute { holds.hold() }
    }
}
