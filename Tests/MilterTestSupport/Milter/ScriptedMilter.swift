import MilterProtocol
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A milter written for the tests: a NIO server on 127.0.0.1:0 that answers each command with
/// whatever the test's script says, including replies no real milter should send.
package final class ScriptedMilter: Sendable {
    /// What the milter does in answer to a command.
    package enum Action: Sendable {
        /// Send a reply frame.
        case reply(MilterReply)
        /// Send several reply frames in one write, so they arrive together.
        case together([MilterReply])
        /// Send raw bytes (a frame with an unknown byte, a giant length).
        case raw([UInt8])
        /// Wait before the next action.
        case pause(TimeAmount)
        /// Wait until `counter` reaches `reaching` before the next action.
        case waitFor(ScriptCounter, reaching: Int)
        /// Close the connection.
        case close
        /// Stop reading from the connection (turn autoRead off): what the MTA sends then stays in
        /// the socket buffers until they are full, and its writes stall.
        case stopReading
    }

    package typealias Script = @Sendable (MilterCommand) -> [Action]

    private let channel: any Channel
    private let recorder: Recorder
    private let connections: AcceptedConnections

    /// The port it listens on.
    package var port: Int { channel.localAddress!.port! }

    /// Every command received so far, on all connections, in order.
    package var commands: [MilterCommand] { recorder.log.withLockedValue { $0.commands } }

    /// How many connections it has accepted so far.
    package var acceptedConnections: Int { recorder.log.withLockedValue { $0.byConnection.count } }

    /// The events (MACRO packets left out) of the connections it accepted from the `first`th on (counting from 0),
    /// connection after connection in the order they were accepted: what one MTA session sent, whatever other
    /// connections sent meanwhile.
    package func eventIDs(ofConnectionsFrom first: Int) -> [MilterCommand.ID] {
        recorder.log.withLockedValue { log in
            log.byConnection.dropFirst(first).flatMap { $0.commands.map(\.id).filter { $0 != .macro } }
        }
    }

    /// The commands (MACRO packets included) of each connection it accepted from the `first`th on (counting from
    /// 0), connection by connection in the order they were accepted.
    package func commandsByConnection(from first: Int) -> [[MilterCommand]] {
        recorder.log.withLockedValue { log in log.byConnection.dropFirst(first).map(\.commands) }
    }

    /// How many of the connections it accepted from the `first`th on (counting from 0) are still open.
    package func openConnections(from first: Int) -> Int {
        recorder.log.withLockedValue { log in log.byConnection.dropFirst(first).count(where: \.open) }
    }

    /// How many of the connections it accepted are still open.
    package var openConnections: Int { connections.openCount }

    /// The IDs of ``commands``, MACRO packets left out.
    package var eventIDs: [MilterCommand.ID] { commands.map(\.id).filter { $0 != .macro } }

    /// The MACRO packets received.
    package var macroPackets: [MacroDefinition] {
        commands.compactMap { if case .macro(let definition) = $0 { definition } else { nil } }
    }

    /// Starts the server on 127.0.0.1, port 0, or on a unix-domain socket at `unixPath`.
    package init(unixPath: String? = nil, script: @escaping Script) async throws {
        let recorder = Recorder()
        let connections = AcceptedConnections()
        self.recorder = recorder
        self.connections = connections
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                connections.add(child)
                let connection = recorder.accepted()
                return child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(MilterCommandDecoder()),
                        ScriptHandler(script: script, recorder: recorder, connection: connection))
                }
            }
        if let unixPath {
            channel = try await bootstrap.bind(unixDomainSocketPath: unixPath, cleanupExistingSocketFile: true).get()
        } else {
            channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        }
    }

    /// Stops the server: closes the listening socket, gives each connection it accepted up to `grace`
    /// to end from the MTA's side, closes those still open, and returns once all are closed. A script
    /// still paused (``Action/pause(_:)``, ``Action/waitFor(_:reaching:)``) does nothing when it resumes.
    ///
    /// The grace lets the milter read what an MTA that has finished sent last: the client closes right
    /// after QUIT, and a test that stops the milter as soon as the client returns still finds ABORT and
    /// QUIT among the commands read. A connection the MTA keeps open costs `grace`.
    package func stop(grace: TimeAmount = .seconds(2)) async {
        try? await channel.close()
        let open = connections.stop()
        let deadline = NIODeadline.now() + grace
        for child in open {
            let forced = child.eventLoop.scheduleTask(deadline: deadline) { child.close(promise: nil) }
            try? await child.closeFuture.get()
            forced.cancel()
        }
    }
}

/// The connections a ``ScriptedMilter`` accepted and that are still open, for ``ScriptedMilter/stop()``.
private final class AcceptedConnections: Sendable {
    private let state = NIOLockedValueBox((stopped: false, open: [ObjectIdentifier: any Channel]()))

    /// Keeps `channel` until it closes; closes it at once if the milter stopped already (accepted
    /// just before the listening socket closed).
    func add(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let stopped = state.withLockedValue { state in
            if !state.stopped { state.open[id] = channel }
            return state.stopped
        }
        if stopped {
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { _ in _ = self.state.withLockedValue { $0.open.removeValue(forKey: id) } }
    }

    /// How many connections are open.
    var openCount: Int { state.withLockedValue { $0.open.count } }

    /// The connections still open; any accepted from now on is closed at once.
    func stop() -> [any Channel] {
        state.withLockedValue { state in
            state.stopped = true
            defer { state.open = [:] }
            return Array(state.open.values)
        }
    }
}

/// Every command the milter received, shared by its connections: in the order received, and connection by
/// connection.
private final class Recorder: Sendable {
    /// One connection's commands, and whether it is still open.
    struct Connection {
        var commands: [MilterCommand] = []
        var open = true
    }

    let log = NIOLockedValueBox<(commands: [MilterCommand], byConnection: [Connection])>(([], []))

    /// Starts the log of a connection just accepted; returns its number.
    func accepted() -> Int {
        log.withLockedValue { log in
            log.byConnection.append(Connection())
            return log.byConnection.count - 1
        }
    }

    /// Logs `command`, received on connection number `connection`.
    func received(_ command: MilterCommand, on connection: Int) {
        log.withLockedValue { log in
            log.commands.append(command)
            log.byConnection[connection].commands.append(command)
        }
    }

    /// Notes that connection number `connection` closed.
    func closed(_ connection: Int) { log.withLockedValue { $0.byConnection[connection].open = false } }
}

private final class ScriptHandler: ChannelInboundHandler {
    typealias InboundIn = MilterCommand

    let script: ScriptedMilter.Script
    let recorder: Recorder
    /// The connection's number, in the order the milter accepted them.
    let connection: Int
    /// Actions wait behind a pause; commands queue behind them in order.
    private var pending: [ScriptedMilter.Action] = []
    private var pausing = false

    init(script: @escaping ScriptedMilter.Script, recorder: Recorder, connection: Int) {
        self.script = script
        self.recorder = recorder
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let command = unwrapInboundIn(data)
        recorder.received(command, on: connection)
        pending += script(command)
        run(context: context)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// A paused script that resumes after the connection closed (``ScriptedMilter/stop()``) has nothing left to do.
    func channelInactive(context: ChannelHandlerContext) {
        pending = []
        recorder.closed(connection)
        context.fireChannelInactive()
    }

    private func run(context: ChannelHandlerContext) {
        while !pausing, !pending.isEmpty {
            let action = pending.removeFirst()
            switch action {
            case .reply(let reply): write([reply], context: context)
            case .together(let replies): write(replies, context: context)
            case .raw(let bytes): context.writeAndFlush(NIOAny(ByteBuffer(bytes: bytes)), promise: nil)
            case .close:
                pending = []
                context.close(promise: nil)
            case .stopReading:
                do { try context.channel.syncOptions?.setOption(.autoRead, value: false) } catch {
                    context.close(promise: nil)
                }
            case .pause(let amount):
                pause(context: context) { resume in _ = context.eventLoop.scheduleTask(in: amount, resume) }
            case .waitFor(let counter, let target):
                let eventLoop = context.eventLoop
                pause(context: context) { resume in counter.whenReaching(target) { eventLoop.execute(resume) } }
            }
        }
    }

    /// Holds the actions back until `start` calls its argument (on the channel's event loop).
    private func pause(context: ChannelHandlerContext, until start: (@escaping @Sendable () -> Void) -> Void) {
        pausing = true
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        start {
            let (handler, context) = loopBound.value
            handler.pausing = false
            handler.run(context: context)
        }
    }

    private func write(_ replies: [MilterReply], context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 64)
        for reply in replies { try! buffer.writeMilterReply(reply) }
        context.writeAndFlush(NIOAny(buffer), promise: nil)
    }
}
