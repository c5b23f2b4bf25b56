import MilterProtocol
import NIOCore

/// One milter connection driven from one thread with a blocking socket: the same
/// ``MTAConnectionStateMachine`` as ``MilterClientConnection``, with the same checks, timeouts,
/// deadlines, limits, frame tap and watch after QUIT, but no event loop, no actor and no task.
///
/// A load generator's thread per connection (`milter-replay`) uses it: every step is a `write`
/// and a `poll` and `read` on the calling thread, as a C MTA does it. Not thread-safe: one thread
/// uses a connection at a time (after ``quit(then:)`` the watch after QUIT owns it).
package final class BlockingMilterConnection {
    /// The configuration in force.
    package let configuration: MilterClientConfiguration
    /// The connection's number in this process, as ``MilterClientConnection/number``.
    package let number: UInt
    // The stored properties the per-message path reads and changes go without the runtime's
    // exclusivity checks in release builds (a call into the runtime and a thread-local look-up
    // for each access: 12 per message of a load run); one thread uses a connection at a time, and
    // debug builds, which the tests run, keep the checks.
    /// The transactions this connection may send again from their record (``ExchangeMemoStore``).
    let memos: ExchangeMemoStore?
    #if DEBUG
    var machine: MTAConnectionStateMachine
    var transport: BlockingTransport
    /// What the connection has exchanged so far, while a digest can say it all; `nil` from then on
    /// (and without ``memos``): no transaction is then sent from a record.
    var digest: ExchangeDigest?
    /// ``digest`` once the connection's own steps are done (after HELO), while it says everything.
    var prologueDigest: ExchangeDigest?
    /// The buffer the transport handed back after a write, for the next recorded segment to be
    /// copied into.
    var spareFrames: ByteBuffer?
    /// The array of times a transaction sent from a record filled, handed back for the next one to fill.
    var spareTimes: [SegmentTimes] = []
    /// The array the last transaction's queue ID was written into, for the next one's: no allocation per message.
    var spareQueueID: [UInt8] = []
    /// While the connection's own steps are recorded (``openAndGreet(to:configuration:client:)``):
    /// the segments so far, and whether they can be sent again.
    var greetingRecord: (segments: [ExchangeSegment], replayable: Bool)?
    #else
    // The same, unchecked.
    @exclusivity(unchecked) var machine: MTAConnectionStateMachine
    @exclusivity(unchecked) var transport: BlockingTransport
    @exclusivity(unchecked) var digest: ExchangeDigest?
    @exclusivity(unchecked) var prologueDigest: ExchangeDigest?
    @exclusivity(unchecked) var spareFrames: ByteBuffer?
    @exclusivity(unchecked) var spareTimes: [SegmentTimes] = []
    @exclusivity(unchecked) var spareQueueID: [UInt8] = []
    @exclusivity(unchecked) var greetingRecord: (segments: [ExchangeSegment], replayable: Bool)?
    #endif

    /// A connection on `socket`, with a fresh machine or, to send the connection's own steps from
    /// their record, the machine `recorded` after them (``openAndGreet(to:configuration:client:)``).
    private init(
        socket: BlockingSocket, configuration: MilterClientConfiguration, client: SMTPClient,
        recorded: () -> MTAConnectionStateMachine?
    ) {
        self.configuration = configuration
        // Read from the record here, not handed down as an optional machine: the machine is large (about 2.3 KB),
        // and each hand-over of the optional copied it whole again (eight copies per connection).
        if let recorded = recorded() {
            machine = recorded
        } else {
            machine = MTAConnectionStateMachine(configuration: configuration, client: client)
        }
        number = ConnectionTags.next()
        machine.connectionTag = number
        transport = BlockingTransport(socket: socket, configuration: configuration)
        memos = configuration.frameTap == nil ? configuration.exchangeMemos : nil
        digest = memos.map { $0.isOff ? nil : .start } ?? nil
    }

    deinit { transport.closeSocket() }

    /// Connects to a milter and negotiates, as ``MilterClientConnection/open(to:configuration:client:group:)``
    /// does: a refused negotiation is a finding on the OPTNEG record, not an error.
    package static func open(
        to address: MilterAddress, configuration: MilterClientConfiguration = MilterClientConfiguration(),
        client: SMTPClient = SMTPClient()
    ) throws(MilterConnectError) -> BlockingMilterConnection {
        let connection = try connected(to: address, configuration: configuration, client: client)
        connection.negotiate()
        return connection
    }

    /// A connection whose socket is connected, before OPTNEG.
    static func connected(
        to address: MilterAddress, configuration: MilterClientConfiguration, client: SMTPClient,
        recorded: () -> MTAConnectionStateMachine? = { nil }
    ) throws(MilterConnectError) -> BlockingMilterConnection {
        let socket: BlockingSocket
        do {
            socket = try BlockingSocket(connectingTo: address, timeout: configuration.effectiveTimeouts.connect)
        } catch {
            throw MilterConnectError(address: address, reason: error.reason, errnoCode: error.errnoCode)
        }
        return BlockingMilterConnection(
            socket: socket, configuration: configuration, client: client, recorded: recorded)
    }

    /// Sends OPTNEG and judges the answer.
    func negotiate() { _ = digesting(.step, 0) { $0.driveStep($0.machine.negotiationRequested()) } }

    /// Findings outside any transaction (at CONNECT, HELO, QUIT).
    package var connectionFindings: [Finding] { machine.connectionFindings }

    /// Sends CONNECT with the client's address.
    @discardableResult
    package func connect() -> StepRecord { digesting(.step, 1) { $0.driveStep($0.machine.connectRequested()) } }

    /// Sends HELO with the client's HELO name.
    @discardableResult
    package func helo() -> StepRecord {
        defer { prologueDigest = digest }
        return digesting(.step, 2) { $0.driveStep($0.machine.heloRequested(nil)) }
    }

    /// Runs a whole transaction, as ``MilterClientConnection/send(_:)``. With
    /// ``MilterClientConfiguration/exchangeMemos``, a transaction this history has seen before is
    /// sent from its record while the milter answers as it did (``ExchangeMemoStore``).
    /// `lookupHash`, if given, is the message's ``MilterMessage/lookupHash``, worked out once by
    /// a caller that sends the same message many times.
    package func send(_ message: MilterMessage, lookupHash: Int? = nil) -> TransactionResult {
        // A whole message is one run, whose frames leave when it ends, with any a replay still holds.
        transport.holdsFramesBetweenRuns = false
        guard let memos, let digest else { return drive(machine.messageRequested(message)).result }
        return send(message, after: digest, memos: memos, lookupHash: lookupHash ?? message.lookupHash)
    }

    /// Sends QUIT (unless the conversation is already over) and closes, as
    /// ``MilterClientConnection/quit(then:)``: `handler` gets every finding QUIT makes, exactly
    /// once. With a positive ``MilterClientConfiguration/quitDrainTimeout`` the connection is
    /// watched after QUIT on a thread of its own, and this returns at once: `handler` runs when the
    /// watch ends, before ``QuitObserver/idle()`` returns.
    package func quit(then handler: @escaping @Sendable ([Finding]) -> Void) {
        quit(now: handler, watched: { handler })
    }

    /// ``quit(then:)`` for a caller whose handler costs something to make (a closure and what it
    /// captures, allocated for every connection): `now` gets QUIT's findings before this returns
    /// when the connection is not watched after QUIT; only when it is does `watched` make the
    /// handler, which the watch's thread calls, exactly once, as ``quit(then:)``'s.
    package func quit(now: ([Finding]) -> Void, watched makeHandler: () -> @Sendable ([Finding]) -> Void) {
        let observer = configuration.quitObserver
        let wanted = configuration.quitDrainTimeout > .zero && machine.socketOpen && !machine.isDraining
        let admitted = wanted && observer.admit()
        switch drive(machine.quitRequested(observed: admitted), stoppingAtWait: true) {
        case .finding(let finding):
            if admitted { observer.release() }
            now(finding.map { [$0] } ?? [])
        case .waiting(let timeout):
            let handler = makeHandler()
            let watched = WatchedConnection(self)
            BlockingThread.start {
                let finding = watched.connection.finishWatch(from: timeout)
                handler(finding.map { [$0] } ?? [])
                observer.release()
            }
        default: preconditionFailure("QUIT ends with a finding")
        }
    }

    /// The watch after QUIT, on its own thread: waits for the milter, then closes.
    private func finishWatch(from timeout: TimeAmount) -> Finding? {
        transport.stopsAtWait = false
        return machine.run(.wait(timeout), on: &transport).foundFinding
    }

    func driveStep(_ first: MTAConnectionStateMachine.Action) -> StepRecord {
        drive(first).record
    }

    /// Reads what arrived since the last call without waiting (a reply nobody asked for is then
    /// found before the next command goes, as an event loop finds it), then runs the machine on
    /// the socket, waiting for each milter event it asks for; with `stoppingAtWait`, returns at
    /// the first wait instead. While frames of earlier steps are held (a replayed session's steps
    /// without a reply), nothing went to the milter since the last look: the read waits for the
    /// group's first step, as it does for a message sent whole.
    func drive(_ first: MTAConnectionStateMachine.Action, stoppingAtWait: Bool = false) -> MilterRunOutcome {
        if !transport.holdsFrames { transport.readAvailable() }
        return runMachine(first, stoppingAtWait: stoppingAtWait)
    }

    /// ``drive(_:stoppingAtWait:)`` for a caller that has read what arrived already.
    func runMachine(_ first: MTAConnectionStateMachine.Action, stoppingAtWait: Bool = false) -> MilterRunOutcome {
        transport.stopsAtWait = stoppingAtWait
        return machine.run(first, on: &transport)
    }
}

/// A connection handed to the thread that watches it after QUIT. Sendable because ownership moves:
/// ``BlockingMilterConnection/quit(then:)`` is the last call its owner makes, and only the
/// watching thread uses it from then on.
private struct WatchedConnection: @unchecked Sendable {
    let connection: BlockingMilterConnection
    init(_ connection: BlockingMilterConnection) { self.connection = connection }
}
