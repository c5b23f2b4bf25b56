import CoreMetrics
import Logging
import MilterProtocol
import NIOCore
import _MilterSystem

/// Drives one MTA connection: the bytes are cut into commands (``MilterCommandFramer``), which go into
/// a ``ServerSession``; its actions are run here. It is the connection's only handler, and counts the
/// connection and the bytes each way (``ServerMetrics``).
///
/// Commands that arrive while the classifier works wait in order, charged to the connection's
/// memory budget. Every reply of one step leaves in one buffer and one flush. Reading stops while
/// the classifier works and while the MTA does not read our replies (backpressure), so neither
/// commands nor replies pile up; and while commands of a flood wait their turn (``commandsPerTurn``). Silence from the MTA is bounded by the handshake, idle and read
/// timeouts; the classifier by its own timeout.
final class MilterConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private static let maximumQueuedCommands = 256
    /// The most commands decoded in one go: the rest wait in the framer for a task on the loop, and reading
    /// pauses meanwhile. A read brings up to 64 KiB, and the loop reads a connection up to four times a turn:
    /// a flood of small frames (5 bytes each) was up to 50,000 commands decoded before the loop served any
    /// other connection or ran a timer. Between two batches it reads the other connections and runs the
    /// timers due. A message is about 30 commands.
    static let commandsPerTurn = 1024
    private let environment: ConnectionEnvironment
    private let watchdog: ConnectionWatchdog
    private let memory: ConnectionMemory
    // The traffic counters, held directly (read through the server's metrics object, each read and write
    // retained and released that object's handle), and counted here rather than by a handler of their own
    // before this one: a handler more was a pipeline step for every read, write, flush and read request, and
    // two allocations per connection.
    private let connectionsTotal: Counter
    private let connectionsOpen: Meter
    private let bytesReceived: Counter
    private let bytesSent: Counter
    // The stored properties the per-message path reads and changes go without the runtime's
    // exclusivity checks in release builds (a call into the runtime and a thread-local look-up for
    // each access, about 40 per message): the handler runs on its channel's event loop only, and
    // debug builds, which the tests run, keep the checks.
    #if DEBUG
    private var session: ServerSession
    private var logger: Logger
    private var busy = false
    private var queued = CircularBuffer<(command: MilterCommand, cost: Int)>()
    private var framer: MilterCommandFramer
    /// The context the watchdog's expiry closes, from ``channelActive(context:)`` to ``channelInactive(context:)``.
    private var watchdogContext: ChannelHandlerContext?
    /// Whether the channel reads (`autoRead`), as last set by ``updateReading(context:)``.
    private var reading = true
    /// Gives up on the classifier call under way, if any: the connection has closed.
    private var cancelClassification: (() -> Void)?
    /// Answers the command whose classifier call is under way, if any, without waiting for the classifier:
    /// the drain timeout has expired (``DrainDeadline``).
    private var answerWithoutClassifier: (() -> Void)?
    /// Whether ``write(_:context:)`` keeps the future of its write in ``trackedWrite``: set while the
    /// failure verdict of the drain deadline is written, whose close waits for it.
    private var tracksWrites = false
    /// The last write made while ``tracksWrites`` was set; writes complete in order, so it completes after
    /// every earlier one.
    private var trackedWrite: EventLoopFuture<Void>?
    /// Called once, when OPTNEG is answered: the connection no longer gives up its slot to a newcomer.
    private var negotiated: (() -> Void)?
    /// Whether the channel is active, as the handler was told (``channelActive(context:)``,
    /// ``channelInactive(context:)``): read per command instead of `context.channel.isActive`, which costs
    /// two retains and an exclusivity check in NIO.
    private var active = false
    /// Whether whole commands may wait in the framer for a task on the loop (``commandsPerTurn``).
    private var backlogged = false
    #else
    // The same, unchecked.
    @exclusivity(unchecked) private var session: ServerSession
    @exclusivity(unchecked) private var logger: Logger
    @exclusivity(unchecked) private var busy = false
    @exclusivity(unchecked) private var queued = CircularBuffer<(command: MilterCommand, cost: Int)>()
    @exclusivity(unchecked) private var framer: MilterCommandFramer
    @exclusivity(unchecked) private var watchdogContext: ChannelHandlerContext?
    @exclusivity(unchecked) private var reading = true
    @exclusivity(unchecked) private var cancelClassification: (() -> Void)?
    @exclusivity(unchecked) private var answerWithoutClassifier: (() -> Void)?
    @exclusivity(unchecked) private var tracksWrites = false
    @exclusivity(unchecked) private var trackedWrite: EventLoopFuture<Void>?
    @exclusivity(unchecked) private var negotiated: (() -> Void)?
    @exclusivity(unchecked) private var active = false
    @exclusivity(unchecked) private var backlogged = false
    #endif

    init(
        environment: ConnectionEnvironment, refusing: Bool, connectionID: Int, negotiated: @escaping () -> Void = {}
    ) {
        self.environment = environment
        self.negotiated = negotiated
        memory = ConnectionMemory(limit: environment.memory.perConnection, ledger: environment.ledger)
        connectionsTotal = environment.metrics.connectionsTotal
        connectionsOpen = environment.metrics.connectionsOpen
        bytesReceived = environment.metrics.bytesReceived
        bytesSent = environment.metrics.bytesSent
        session = ServerSession(
            needs: environment.classifier.needs, options: environment.options, refusing: refusing, memory: memory)
        logger = environment.logger
        logger[metadataKey: "connection"] = .string(String(connectionID))
        let watchdog = ConnectionWatchdog(timeouts: environment.timeouts)
        self.watchdog = watchdog
        framer = MilterCommandFramer(
            limits: MilterFrameLimits(maximumPayloadLength: environment.options.maximumFrameSize), watchdog: watchdog)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // Added to a channel active already, the handler is not told it becomes active.
        active = context.channel.isActive
    }

    func channelActive(context: ChannelHandlerContext) {
        connectionsTotal.increment()
        connectionsOpen.increment()
        active = true
        // Postfix and Sendmail send OPTNEG and CONNECT at once: a peer that does not is not an MTA and must
        // not hold a slot, nor a connection refused for want of one (it is answered at CONNECT). The watchdog's
        // timer keeps the handshake deadline too (``ConnectionWatchdog/start(on:probe:checkingHandshake:)``).
        watchdogContext = context
        watchdog.start(on: context.eventLoop, probe: self, checkingHandshake: true)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        connectionsOpen.decrement()
        active = false
        // Queued, the call leaves the queue without taking a slot; running, it is cancelled. Either
        // way it lets go of its copy of the message without waiting for the classifier timeout.
        cancelClassification?()
        cancelClassification = nil
        answerWithoutClassifier = nil
        watchdog.stop()
        watchdogContext = nil
        // Only when it holds some: emptying allocates a new buffer.
        if !queued.isEmpty { queued.removeAll() }
        session.releaseMemory()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        bytesReceived.increment(by: Int64(bytes.readableBytes))
        framer.append(bytes)
        // Commands wait for the task already scheduled: these bytes come after theirs.
        guard !backlogged else { return }
        decodeCommands(context: context)
    }

    /// Decodes and handles up to ``commandsPerTurn`` commands; if that many came, the rest wait for a task on the
    /// loop, with reading paused until they are handled.
    private func decodeCommands(context: ChannelHandlerContext) {
        var commands = 0
        do {
            while commands < Self.commandsPerTurn, let command = try framer.next() {
                commands += 1
                received(command, context: context)
            }
        } catch {
            fail(context: context, "\(error)", kind: "\(error.code)")
        }
        // One clock read per read that brought commands, not one per command (a message is about 30
        // frames, most of them in one or two reads): the timeouts count in seconds.
        if commands > 0 { watchdog.noteActivity() }
        guard commands == Self.commandsPerTurn, active else {
            framer.finishRead()
            return
        }
        guard !backlogged else { return }
        backlogged = true
        updateReading(context: context)
        context.eventLoop.assumeIsolated().execute { [self] in
            backlogged = false
            guard active else { return }
            decodeCommands(context: context)
            updateReading(context: context)
        }
    }

    private func received(_ command: consuming MilterCommand, context: ChannelHandlerContext) {
        // Commands decoded after the close (the rest of a read) are dropped, not charged. NIO tells the
        // pipeline the channel is inactive within the close, so `active` is already false then.
        guard active else { return }
        if busy {
            let cost = MemoryCost.queued(command)
            guard queued.count < Self.maximumQueuedCommands, memory.charge(cost) else {
                fail(
                    context: context, "the MTA sent \(queued.count + 1) commands without waiting for replies",
                    kind: "too-many-queued-commands")
                return
            }
            queued.append((command, cost))
            return
        }
        process(command, context: context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        updateReading(context: context)
        context.fireChannelWritabilityChanged()
    }

    /// Reads only while replies can leave and no classification is pending.
    private func updateReading(context: ChannelHandlerContext) {
        let wanted = context.channel.isWritable && !busy && !backlogged
        guard wanted != reading else { return }
        reading = wanted
        watchdog.noteReading(resumed: wanted)
        try? context.channel.syncOptions?.setOption(.autoRead, value: wanted)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let deadline = event as? DrainDeadline else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        // The MTA waits for a reply the classifier owes: it gets the failure verdict before the close, not a
        // lost connection. The commands queued behind it are dropped with the connection.
        guard context.channel.isActive, let answer = answerWithoutClassifier else {
            context.close(promise: nil)
            return
        }
        tracksWrites = true
        answer()
        tracksWrites = false
        guard let written = trackedWrite else {
            context.close(promise: nil)
            return
        }
        trackedWrite = nil
        // A close fails the writes still pending: with the MTA's socket buffer full, closing at once would
        // lose the verdict. The close waits for the write, at most `writeTimeout`.
        // Whichever comes first closes; the other finds the promise complete.
        let due = context.eventLoop.makePromise(of: Void.self)
        let timer = context.eventLoop.scheduleTask(in: deadline.writeTimeout) { due.succeed() }
        written.whenComplete { _ in due.succeed() }
        due.futureResult.assumeIsolated().whenComplete { _ in
            timer.cancel()
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // NIO's text for a failed system call names the call and the errno, with unbalanced
        // parentheses (`read(descriptor:pointer:size:): Connection reset by peer) (errno: 104)`).
        let description = (error as? IOError).map { SystemCall.lowercasedErrorText($0.errnoCode) } ?? "\(error)"
        fail(context: context, description, kind: (error as? MilterProtocolError).map { "\($0.code)" } ?? "io")
    }

    private func process(_ command: consuming MilterCommand, context: ChannelHandlerContext) {
        do {
            perform(try session.receive(command), context: context)
            if session.agreed != nil, let negotiated {
                self.negotiated = nil
                negotiated()
            }
            // Asked first: taking the notice and the refusal copies each out of the session, on every command.
            if session.hasBudgetNews { reportBudget() }
        } catch {
            fail(context: context, "\(error)", kind: "\(error.code)")
        }
    }

    /// Logs the transaction that went over the memory budget, and the message refused for it.
    private func reportBudget() {
        if let notice = session.takeBudgetNotice() {
            var metadata: Logger.Metadata = ["budget": "\(memory.limit)", "total": "\(environment.ledger.limit)"]
            if let queueID = notice.queueID { metadata["queue-id"] = "\(queueID)" }
            logger.warning("memory budget reached: the transaction gets a tempfail", metadata: metadata)
        }
        if let refusal = session.takeBudgetRefusal() {
            // The message's decision line, metrics and observer, as for a classified one (the warning
            // above gave the details).
            logger.info("\(refusal.decision.logLine(queueID: refusal.notice.queueID ?? "-"))")
            environment.metrics.memoryBudgetTempfail()
            environment.observer?(refusal.mail, refusal.decision)
        }
    }

    private func perform(_ action: SessionAction, context: ChannelHandlerContext) {
        switch action {
        case .reply(let replies):
            write(replies, context: context)
        case .replyAndClose(let replies):
            write(replies, context: context)
            context.close(promise: nil)
        case .close:
            context.close(promise: nil)
        case .check(let event, let mail):
            let classifier = environment.classifier
            wait(for: { try await classifier.check(event, mail) }, context: context) { handler, outcome in
                handler.finishCheck(event, outcome, context: context)
            }
        case .classify(let completed):
            let classifier = environment.classifier
            let start = ContinuousClock.now
            if let decision = classifier.decideAtOnce(completed.mail) {
                environment.metrics.classified(since: start)
                finishClassification(completed.mail, .value(decision), context: context)
                return
            }
            wait(for: { try await classifier.classify(completed.mail) }, context: context) { handler, outcome in
                handler.finishClassification(completed.mail, outcome, context: context)
            }
        }
    }

    private func wait<Value: Sendable>(
        for work: @escaping @Sendable () async throws -> Value, context: ChannelHandlerContext,
        then finish: @escaping (MilterConnectionHandler, ClassificationOutcome<Value>) -> Void
    ) {
        busy = true
        updateReading(context: context)
        let metrics = environment.metrics
        let timed: @Sendable () async throws -> Value = {
            let start = ContinuousClock.now
            defer { metrics.classified(since: start) }
            return try await work()
        }
        let call = environment.scheduler.run(on: context.eventLoop, timed)
        cancelClassification = call.cancel
        answerWithoutClassifier = { [unowned self] in
            // The call is cancelled first: its outcome, should the classifier return now, is not sent too.
            call.cancel()
            cancelClassification = nil
            answerWithoutClassifier = nil
            busy = false
            // The MTA's wait for its next command starts with our answer, not when the timer last looked.
            watchdog.noteAnswered()
            finish(self, .abandoned)
        }
        call.outcome.assumeIsolated().whenSuccess { outcome in
            self.cancelClassification = nil
            self.answerWithoutClassifier = nil
            self.busy = false
            // The idle and read timeouts count from our answer: the watchdog's timer, finding the classifier at
            // work, moved the last activity only to when it looked, up to a timeout before the answer.
            self.watchdog.noteAnswered()
            guard context.channel.isActive else { return }
            finish(self, outcome)
            self.drainQueue(context: context)
            self.updateReading(context: context)
        }
    }

    private func finishCheck(
        _ event: EarlyEvent, _ outcome: ClassificationOutcome<Verdict?>, context: ChannelHandlerContext
    ) {
        let verdict: Verdict?
        switch outcome {
        case .value(let value): verdict = value
        case .failed(let error):
            logger.error("early check failed", metadata: ["stage": "\(event.stage)", "error": "\(error)"])
            verdict = environment.options.failureVerdict
        case .timedOut:
            logger.error("early check timed out", metadata: ["stage": "\(event.stage)"])
            verdict = environment.options.failureVerdict
        case .abandoned:
            logger.error("early check abandoned: the drain timeout expired", metadata: ["stage": "\(event.stage)"])
            verdict = environment.options.failureVerdict
        }
        do { write(try session.checked(event, verdict: verdict), context: context) } catch {
            fail(context: context, "\(error)", kind: "\(error.code)")
        }
    }

    private func finishClassification(
        _ mail: MailInfo, _ outcome: consuming ClassificationOutcome<Decision>, context: ChannelHandlerContext
    ) {
        let decision: Decision
        switch consume outcome {
        case .value(let value): decision = value
        case .failed(let error):
            decision = Decision(environment.options.failureVerdict, reason: "classifier failed: \(error)")
        case .timedOut: decision = Decision(environment.options.failureVerdict, reason: "classifier timed out")
        case .abandoned:
            decision = Decision(
                environment.options.failureVerdict, reason: "server shutting down: the drain timeout expired")
        }
        do {
            let answer = try session.classified(decision)
            if let cause = answer.replacement {
                logger.error(
                    "the decision cannot be sent: the failure verdict goes instead",
                    metadata: [
                        "queue-id": "\(mail.queueID)", "verdict": "\(decision.verdict.name)", "error": "\(cause)",
                    ])
            }
            // The log line, the metrics and the observer tell what the MTA is sent.
            logger.info("\(answer.sent.logLine(queueID: mail.queueID))")
            for modification in answer.dropped {
                logger.warning(
                    "modification dropped: the MTA did not grant it",
                    metadata: ["queue-id": "\(mail.queueID)", "action": "\(modification.requiredAction)"])
            }
            environment.metrics.message(answer.sent.verdict)
            environment.observer?(mail, answer.sent)
            write(answer.frames, context: context)
        } catch {
            fail(context: context, "\(error)", kind: "\(error.code)")
        }
    }

    private func drainQueue(context: ChannelHandlerContext) {
        while !busy, active, let next = queued.popFirst() {
            memory.release(next.cost)
            process(next.command, context: context)
        }
    }

    /// Every reply of a step goes out in one buffer and one flush.
    private func write(_ replies: [MilterReply], context: ChannelHandlerContext) {
        guard !replies.isEmpty else { return }
        var buffer = context.channel.allocator.buffer(capacity: 64)
        do {
            for reply in replies { try buffer.writeMilterReply(reply) }
        } catch {
            fail(context: context, "\(error)")
            return
        }
        write(buffer, context: context)
    }

    /// Writes frames encoded beforehand.
    private func write(_ frames: ByteBuffer, context: ChannelHandlerContext) {
        guard frames.readableBytes > 0 else { return }
        bytesSent.increment(by: Int64(frames.readableBytes))
        guard tracksWrites else {
            context.writeAndFlush(wrapOutboundOut(frames), promise: nil)
            return
        }
        let promise = context.eventLoop.makePromise(of: Void.self)
        trackedWrite = promise.futureResult
        context.writeAndFlush(wrapOutboundOut(frames), promise: promise)
    }

    /// Closes the connection and logs why; `kind` labels `milter_protocol_errors_total`.
    private func fail(context: ChannelHandlerContext, _ description: String, kind: String = "other") {
        guard context.channel.isActive else { return }
        environment.metrics.protocolError(kind)
        logger.error("closing the connection", metadata: ["error": "\(description)"])
        context.close(promise: nil)
    }
}

extension MilterConnectionHandler: ConnectionWatchdogProbe {
    var watchdogFindsMessage: Bool { session.isInsideMessage }
    var watchdogFindsBusy: Bool { busy }
    var watchdogFindsReading: Bool { reading }
    var watchdogFindsConnected: Bool { session.hasReceivedConnect }

    func watchdogExpired(_ timeout: String) {
        guard let context = watchdogContext else { return }
        let what =
            switch timeout {
            case "frame timeout":
                "a frame took more than \(Double(environment.timeouts.frame.nanoseconds) / 1e9) s to arrive"
            case "handshake timeout": "no \(session.agreed == nil ? "OPTNEG" : "CONNECT after OPTNEG")"
            default: "the MTA went silent"
            }
        fail(context: context, "\(timeout): \(what)", kind: timeout.split(separator: " ").joined(separator: "-"))
    }
}
