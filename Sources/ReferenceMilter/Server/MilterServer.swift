import Logging
import MilterProtocol
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle
import _MilterSystem

/// The milter server: listens, speaks the protocol with each MTA connection, and asks the classifier.
///
/// Run it as a swift-service-lifecycle `Service` (``run()``): on graceful shutdown (SIGINT or
/// SIGTERM in a `ServiceGroup`) it stops accepting, lets open connections finish for up to
/// ``ServerConfiguration/drainTimeout``, closes the rest and returns; a message still being classified
/// then gets the failure verdict before its connection closes. Or drive it by hand with
/// ``start()`` and ``stop()``.
public final class MilterServer: Service, Sendable {
    private let configuration: ServerConfiguration
    private let environment: ConnectionEnvironment
    private let group: MultiThreadedEventLoopGroup
    private let registry: ConnectionRegistry
    private let listener = NIOLockedValueBox<Listener?>(nil)
    private let stopped = NIOLockedValueBox(false)

    /// Creates a server; nothing is bound until ``start()`` or ``run()``.
    ///
    /// - Parameters:
    ///   - classifier: decides on each message.
    ///   - configuration: where to listen, threads, timeouts and limits.
    ///   - logger: receives the decision log lines and the server's events.
    ///   - observer: called with each message and its decision, after the decision is logged; also for a
    ///     message that got a tempfail because it went over the memory budget (its ``MailInfo`` then has no
    ///     header fields nor body: they were dropped).
    public init(
        classifier: any MailClassifier, configuration: ServerConfiguration = ServerConfiguration(),
        logger: Logger = Logger(label: "reference-milter"),
        observer: (@Sendable (MailInfo, Decision) -> Void)? = nil
    ) {
        self.configuration = configuration
        group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.eventLoopThreads)
        // Gives freed memory back to the system after connections close.
        let allocatorTrim = AllocatorTrim()
        registry = ConnectionRegistry(limit: configuration.maximumConnections) { open, eventLoop in
            allocatorTrim.connectionClosed(open: open, on: eventLoop)
        }
        environment = ConnectionEnvironment(
            classifier: classifier,
            scheduler: ClassificationScheduler(
                threads: configuration.threads, timeout: configuration.classifierTimeout),
            options: configuration.protocolOptions, timeouts: configuration.timeouts, memory: configuration.memory,
            ledger: MemoryLedger(
                limit: configuration.memory.total(maximumConnections: configuration.maximumConnections)),
            logger: logger, observer: observer, metrics: ServerMetrics())
    }

    /// The bound address, once started.
    public var localAddress: SocketAddress? { listener.withLockedValue { $0?.localAddress } }

    /// How many MTA connections are open.
    public var connectionCount: Int { registry.count }

    /// The connections open now (for tests: to hold their event loop busy).
    var openChannels: [any Channel] { registry.channels }

    /// How many classifications could start right now (for tests: no slot may leak).
    var classificationSlotsFree: Int { environment.scheduler.gate.available }

    /// Binds the listening socket and starts accepting; returns the bound address.
    @discardableResult
    public func start() async throws -> SocketAddress? {
        if let address = localAddress { return address }
        let bound = try await listen()
        listener.withLockedValue { $0 = bound }
        environment.logger.info(
            "listening",
            metadata: [
                "address": "\(configuration.address.withBoundPort(bound.localAddress?.port))",
                "max-connections": "\(configuration.maximumConnections)",
                "memory-budget": "\(configuration.memory.perConnection)",
                "memory-total": "\(environment.ledger.limit)",
            ])
        return bound.localAddress
    }

    /// Serves until graceful shutdown or until its task is cancelled (a `ServiceGroup` cancels its
    /// services when one of them fails), then drains and returns.
    public func run() async throws {
        try await start()
        guard let listener = listener.withLockedValue({ $0 }) else { return }
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await listener.closeFuture.get()
            } onGracefulShutdown: {
                listener.stopAccepting()
            }
        } onCancel: {
            listener.stopAccepting()
        }
        try await stop()
    }

    /// Stops accepting, waits for open connections up to the drain timeout, closes the rest and
    /// releases the threads. Calling it twice is harmless.
    public func stop() async throws {
        guard
            stopped.withLockedValue({ (done: inout Bool) -> Bool in
                defer { done = true }; return !done
            })
        else {
            return
        }
        if let listener = listener.withLockedValue({ $0 }) {
            listener.stopAccepting()
            try? await listener.closeFuture.get()
        }
        if case .unix(let path) = configuration.address { _ = StaleSocket.clear(path: path) }
        await drain()
        environment.scheduler.shutdown()
        try await group.shutdownGracefully()
    }

    private func drain() async {
        // Connections the kernel handed over just before the close are still being registered on
        // their loops: let every loop run what it has queued, twice, so none of them is missed.
        for _ in 0..<2 {
            for loop in group.makeIterator() { try? await loop.submit {}.get() }
        }
        let loop = group.next()
        let deadline = NIODeadline.now() + configuration.drainTimeout
        var logged = false
        while case let open = registry.channels, !open.isEmpty, NIODeadline.now() < deadline {
            if !logged { environment.logger.info("draining", metadata: ["connections": "\(open.count)"]) }
            logged = true
            let promise = loop.makePromise(of: Void.self)
            EventLoopFuture.andAllComplete(open.map(\.closeFuture), on: loop).cascade(to: promise)
            let timer = loop.scheduleTask(deadline: deadline) { promise.succeed() }
            try? await promise.futureResult.get()
            timer.cancel()
        }
        // A connection whose MTA waits for a reply the classifier owes gets the failure verdict first, and
        // closes once it is written (at most `writeTimeout`); the others close at once.
        let open = registry.channels
        guard !open.isEmpty else { return }
        let event = DrainDeadline(writeTimeout: configuration.drainWriteTimeout)
        for channel in open {
            try? await channel.eventLoop.submit {
                channel.pipeline.syncOperations.fireUserInboundEventTriggered(event)
            }.get()
        }
        let closed = loop.makePromise(of: Void.self)
        EventLoopFuture.andAllComplete(open.map(\.closeFuture), on: loop).cascade(to: closed)
        // A margin past the handlers' own timers; a connection without a handler yet is closed below.
        let timer = loop.scheduleTask(in: event.writeTimeout + .milliseconds(500)) { closed.succeed() }
        try? await closed.futureResult.get()
        timer.cancel()
        for channel in open { try? await channel.close() }
    }

    private func bootstrap() -> ServerBootstrap {
        let initialize = connectionInitializer(registered: true)
        let admit = admission()
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AcceptOrderHandler(admit: admit))
                }
            }
            .childChannelInitializer(initialize)
    }

    /// The size of each read: NIO's adaptive sizes, starting at 8 KiB instead of 2 KiB. Postfix
    /// sends a message's header fields and its first body chunk without waiting (no-reply stages), a
    /// few KiB that a 2 KiB first read took in two or three reads on every new connection. The cost is
    /// memory: each connection keeps its last receive buffer, about 6 MB more for 1,000 idle connections
    /// than with 2 KiB (4 KiB: 2 MB more, and 1.6 reads per message instead of 1.4).
    private static let receiveBuffers = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 8192, maximum: 65536)

    /// Registers a new connection against the connection limit, closing the connection it displaces.
    private func admission() -> @Sendable (any Channel) -> ConnectionRegistry.Admission {
        let environment = environment
        let registry = registry
        return { channel in
            let admission = registry.register(channel)
            if let evicted = admission.evicted {
                environment.metrics.connectionsEvicted.increment()
                environment.logger.info(
                    "connection limit reached: closing the oldest connection that has not sent OPTNEG",
                    metadata: ["connection": "\(evicted.id)", "for-connection": "\(admission.id)"])
                evicted.channel.close(promise: nil)
            } else if !admission.served {
                environment.logger.warning("connection limit reached: refusing with a tempfail")
            }
            return admission
        }
    }

    /// Sets up each accepted connection, whichever listener accepted it. A bound listener's
    /// connections are `registered` already, in accept order (``AcceptOrderHandler``): one missing
    /// from the registry was closed meanwhile and is not served. A shared socket's are registered
    /// here, in the order their event loops get to them.
    private func connectionInitializer(registered: Bool) -> @Sendable (any Channel) -> EventLoopFuture<Void> {
        let environment = environment
        let registry = registry
        let admit = admission()
        return { channel in
            let admission =
                registered
                ? registry.admission(of: channel) ?? ConnectionRegistry.Admission(id: 0, served: false)
                : admit(channel)
            // TCP_NODELAY is not set here: NIO sets it on the listening socket, whose accepted sockets
            // inherit it, and on the sockets a shared listener hands over (`ClientBootstrap`'s default).
            return channel.eventLoop.makeCompletedFuture {
                // Set here, not as the bootstrap's child channel options: NIO applies those through a chain of
                // futures per option and connection (about 19 allocations a connection for these two), and a
                // shared socket's connections (`ClientBootstrap`) get the same read sizes. Remote half-closure is
                // not set: it is off in NIO's sockets unless asked for, and setting it off again cost as much as
                // this option (HalfClosureTests: an MTA that shuts down its side is closed at once).
                try channel.syncOptions?.setOption(.recvAllocator, value: Self.receiveBuffers)
                let handler = MilterConnectionHandler(
                    environment: environment, refusing: !admission.served, connectionID: admission.id,
                    negotiated: { registry.negotiated(id: admission.id) })
                try channel.pipeline.syncOperations.addHandler(handler)
            }
        }
    }

    /// Accepts on an inherited socket through a ``SharedSocketAcceptor``: the socket may be shared
    /// with another daemon during a reload.
    private func acceptShared(_ descriptor: Int32) throws -> Listener {
        try ListeningSocketCheck.validate(descriptor)
        let acceptor = SharedSocketAcceptor(descriptor: descriptor, eventLoop: group.next(), logger: environment.logger)
        let group = group
        let initialize = connectionInitializer(registered: false)
        acceptor.start { descriptor in
            ClientBootstrap(group: group)
                .channelInitializer(initialize)
                .withConnectedSocket(descriptor).map { _ in }
        }
        return .shared(acceptor, localAddress: SocketAddress.bound(to: descriptor))
    }

    private func listen() async throws -> Listener {
        if case .inherited(let descriptor) = configuration.address { return try acceptShared(descriptor) }
        return .channel(try await bind(bootstrap()))
    }

    private func bind(_ bootstrap: ServerBootstrap) async throws -> any Channel {
        let address = configuration.address
        do {
            switch address {
            case .tcp(let host, let port):
                return try await bootstrap.bind(host: host, port: port).get()
            case .unix(let path):
                return try await bindUnix(bootstrap, path: path)
            case .inherited(let descriptor):
                try ListeningSocketCheck.validate(descriptor)
                return try await bootstrap.withBoundSocket(descriptor).get()
            }
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw ServerError.addressInUse(address: "\(address)")
        } catch let error as IOError {
            throw ServerError.cannotBind(address: "\(address)", reason: ListenFailure.describe(error))
        } catch let error as SocketAddressError.UnknownHost {
            // A host name that does not resolve: in words, not NIO's description.
            throw ServerError.cannotBind(address: "\(address)", reason: ListenFailure.describe(error))
        }
    }

    private func bindUnix(_ bootstrap: ServerBootstrap, path: String) async throws -> any Channel {
        let options = configuration.unixSocket
        try options.validate(path: path)
        switch StaleSocket.clear(path: path) {
        case .inUse: throw ServerError.socketInUse(path: path)
        case .notASocket: throw ServerError.notASocket(path: path)
        case let finding:
            if let problem = finding.problem(path: path) {
                throw ServerError.unusableSocketPath(path: path, reason: problem)
            }
        }
        let descriptor = try options.listeningSocket(at: path)
        let channel: any Channel
        do {
            channel = try await bootstrap.withBoundSocket(descriptor).get()
        } catch {
            // Not closed here: once NIO has made its channel from the descriptor, a failure closes it, and
            // a second close could close a descriptor another thread has opened meanwhile. (If NIO fails
            // before that, the descriptor of this failed start stays open: a leak, never a wrong close.)
            unlink(path)
            throw error
        }
        do {
            try options.apply(to: path)
        } catch {
            try? await channel.close()
            unlink(path)
            throw error
        }
        return channel
    }
}
