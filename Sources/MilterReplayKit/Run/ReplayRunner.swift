import MilterClient
import MilterProtocol
import NIOCore
import NIOPosix

/// Sends the corpus over `--connections` concurrent milter connections, each carrying up to
/// `--messages-per-connection` messages as one SMTP session would.
struct ReplayRunner: Sendable {
    let entries: [CorpusEntry]
    let address: MilterAddress
    let configuration: MilterClientConfiguration
    let client: SMTPClient
    let connections: Int
    /// Event loop threads, connections spread over them; `nil`: a thread of its own per
    /// connection, with blocking sockets (``BlockingMilterConnection``).
    let threads: Int?
    let messagesPerConnection: Int
    let queue: WorkQueue
    /// With `--verbose`: each connection's transcript goes with the outcome of its last message, as text
    /// or, when `true`, as a JSON line.
    var transcriptsAsJSON: Bool?
    /// With `--show-values`: expectation failures show values unredacted.
    var showsValues = false
    /// Called once per message, as soon as its outcome is final.
    let report: @Sendable (MessageOutcome) -> Void

    /// Whether any connection was opened; until one is, the connect failures that stop the run, their messages held
    /// back: every one, not only the first, as the connects already under way when the run stops fail too.
    let reachability = ReachabilityGate<MessageOutcome>() { $0.sequence }

    /// How a run ended, besides its outcomes.
    struct Ending {
        /// Why the milter cannot be reached, when no connection opened at all: the run stopped at the first
        /// failure (other than a local one, ``MilterClient/MilterConnectError/isLocal``) and reports no message.
        var unreachable: String?
        /// When a connect failed before any connection was open, stopping the run, and yet a connection opened:
        /// that failure, and how many messages of the run were never tried (`nil` when the run is not counted: a
        /// duration without a rate). The messages whose connect failed are reported as connection failures.
        var stoppedEarly: (reason: String, notSent: Int?)?
        /// When the last connection was done with its messages.
        var workEnded: ContinuousClock.Instant
    }

    /// Runs every connection to completion: each on a thread of its own with a blocking socket, or,
    /// with ``threads`` set, over that many event loops, each connection's task preferring its
    /// event loop as executor, so that its steps never leave that thread. The run stops at the first connect
    /// failure while no connection is open, unless the failure is local (out of file descriptors): see ``Ending``.
    /// Connections still watched after QUIT (``MilterClientConfiguration/quitDrainTimeout``) are waited for after
    /// the work ended, and their last message reported, before this returns.
    func run() async -> Ending {
        // The loops stay up until the watches after QUIT have ended: they run on them.
        let group = threads.map { MultiThreadedEventLoopGroup(numberOfThreads: $0) }
        defer { group?.shutdownGracefully { _ in } }
        if let group {
            await runOnEventLoops(group)
        } else {
            await BlockingThread.run(connections) { _ in blockingWorker() }
        }
        let workEnded = ContinuousClock.now
        await configuration.quitObserver.idle()
        return ending(workEnded: workEnded)
    }

    /// How the run ended, once every connection is done; reports the messages held back by a connect failure
    /// (``connectFailed(_:_:startLag:since:)``) when a connection opened after all.
    func ending(workEnded: ContinuousClock.Instant) -> Ending {
        // When the milter was reached after all, the messages held back are connection failures, and the rest of
        // the run was never tried.
        let gate = reachability.ending(notSent: { queue.due.map { max(0, $0 - queue.taken) } }, report: report)
        return Ending(unreachable: gate.unreachable, stoppedEarly: gate.stoppedEarly, workEnded: workEnded)
    }

    private func runOnEventLoops(_ group: MultiThreadedEventLoopGroup) async {
        await withTaskGroup(of: Void.self) { tasks in
            for _ in 0..<connections {
                let eventLoop = group.next()
                if #available(macOS 15.0, *) {
                    tasks.addTask(executorPreference: EventLoopTaskExecutor(eventLoop)) { await worker(on: eventLoop) }
                } else {
                    tasks.addTask { await worker(on: eventLoop) }
                }
            }
        }
    }

    /// One connection's loop: open, send up to the per-connection count, quit, repeat.
    private func worker(on eventLoop: any EventLoop) async {
        var session: Session?
        while let item = queue.take() {
            var startLag: Duration?
            if let scheduled = item.scheduledOffset {
                try? await Task.sleep(until: queue.instant(at: scheduled))
                startLag = queue.elapsed() - scheduled
            }
            var opening: Duration?
            if session == nil {
                let began = queue.elapsed()
                opening = began
                do {
                    session = try await Session.open(
                        address, configuration: configuration, client: client, eventLoop: eventLoop,
                        transcriptsAsJSON: transcriptsAsJSON, showsValues: showsValues)
                    reachability.reached()
                } catch {
                    let since = queue.instant(at: item.scheduledOffset ?? began)
                    if connectFailed(item, error, startLag: startLag, since: since) { return }
                    continue
                }
            }
            await session!.send(
                entries[item.entry], item: item, opening: opening, startLag: startLag, queue: queue, report: report)
            // QUIT right after the session's last message, as an MTA does, not when the next one is due.
            if session!.used >= messagesPerConnection {
                await session!.close(report: report)
                session = nil
            }
        }
        await session?.close(report: report)
    }

    /// A connection for `item` could not be opened: reports the item as a connection failure, with the time waited
    /// `since` (its scheduled start, or when the connect began) as its latency. When no connection was ever open and
    /// the failure is not local (``MilterClient/MilterConnectError/isLocal``), the milter may be unreachable: the
    /// run stops, the item is held back (reported at the end only if a connection opened after all), and this
    /// returns true.
    func connectFailed(
        _ item: WorkQueue.Item, _ error: MilterConnectError, startLag: Duration?, since: ContinuousClock.Instant
    ) -> Bool {
        var outcome = MessageOutcome(
            sequence: item.sequence, entry: entries[item.entry], result: nil, connectError: error.description,
            connectionFindings: [], latency: since.duration(to: .now))
        outcome.startLag = startLag
        guard reachability.failed(outcome, reason: error.description, local: error.isLocal, report: report) else {
            return false
        }
        queue.stop()
        return true
    }
}

/// One milter connection of an event loop worker, and its ledger.
private struct Session {
    let connection: MilterClientConnection
    var ledger: SessionLedger

    /// Opens a connection and sends CONNECT and HELO; with `transcriptsAsJSON` set, a transcript records
    /// its frames.
    static func open(
        _ address: MilterAddress, configuration: MilterClientConfiguration, client: SMTPClient,
        eventLoop: any EventLoop, transcriptsAsJSON: Bool?, showsValues: Bool
    ) async throws(MilterConnectError) -> Session {
        var configuration = configuration
        var ledger = SessionLedger(
            address: address, configuration: &configuration, transcriptsAsJSON: transcriptsAsJSON,
            showsValues: showsValues)
        let connection = try await MilterClientConnection.open(
            to: address, configuration: configuration, client: client, group: eventLoop)
        await connection.connect()
        await connection.helo()
        ledger.opened(findings: await connection.connectionFindings)
        return Session(connection: connection, ledger: ledger)
    }

    var used: Int { ledger.used }

    mutating func send(
        _ entry: CorpusEntry, item: WorkQueue.Item, opening: Duration?, startLag: Duration?, queue: WorkQueue,
        report: (MessageOutcome) -> Void
    ) async {
        let result = await connection.send(entry.message)
        ledger.sent(
            result, entry: entry, item: item, opening: opening, startLag: startLag, queue: queue, report: report)
    }

    mutating func close(report: @escaping @Sendable (MessageOutcome) -> Void) async {
        guard let handler = ledger.quitHandler(connectionNumber: connection.number, report: report) else {
            await connection.quit()
            return
        }
        await connection.quit(then: handler)
    }
}
