import MilterClient
import MilterProtocol
import NIOConcurrencyHelpers
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
    /// Event loop threads; connections are spread over them.
    let threads: Int
    let messagesPerConnection: Int
    let queue: WorkQueue
    /// With `--verbose`: each connection's transcript goes with the outcome of its last message, as text
    /// or, when `true`, as a JSON line.
    var transcriptsAsJSON: Bool?
    /// Called once per message, as soon as its outcome is final.
    let report: @Sendable (MessageOutcome) -> Void

    /// Whether any connection was opened, and why the first failed one failed.
    let reachability = NIOLockedValueBox((connected: false, firstFailure: String?.none))

    /// Runs every connection to completion. Each connection's task prefers its event loop as
    /// executor, so its steps never leave that thread. Returns why the milter cannot be reached when no
    /// connection could be opened at all (the run stops at the first failure then, and reports no message),
    /// and when the last connection was done with its messages: connections still watched after QUIT
    /// (``MilterClientConfiguration/quitDrainTimeout``) are waited for after that, and their last
    /// message reported, before this returns.
    func run() async -> (unreachable: String?, workEnded: ContinuousClock.Instant) {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        defer { group.shutdownGracefully { _ in } }
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
        let workEnded = ContinuousClock.now
        await configuration.quitObserver.idle()
        return (reachability.withLockedValue { $0.connected ? nil : $0.firstFailure }, workEnded)
    }

    /// One connection's loop: open, send up to the per-connection count, quit, repeat.
    private func worker(on eventLoop: any EventLoop) async {
        var session: Session?
        while let item = queue.take() {
            var startLag: Duration?
            if let scheduled = item.scheduled {
                try? await Task.sleep(until: scheduled)
                startLag = scheduled.duration(to: .now)
            }
            if session == nil {
                do {
                    session = try await Session.open(
                        address, configuration: configuration, client: client, eventLoop: eventLoop,
                        transcriptsAsJSON: transcriptsAsJSON)
                    reachability.withLockedValue { $0.connected = true }
                } catch {
                    session = nil
                    let unreachable = reachability.withLockedValue { state in
                        if !state.connected { state.firstFailure = state.firstFailure ?? error.description }
                        return !state.connected
                    }
                    if unreachable {
                        queue.stop()
                        return
                    }
                    var outcome = failedOutcome(item, error)
                    outcome.startLag = startLag
                    report(outcome)
                    continue
                }
            }
            await session!.send(entries[item.entry], item: item, startLag: startLag, report: report)
            // QUIT right after the session's last message, as an MTA does, not when the next one is due.
            if session!.used >= messagesPerConnection {
                await session!.close(report: report)
                session = nil
            }
        }
        await session?.close(report: report)
    }

    private func failedOutcome(_ item: WorkQueue.Item, _ error: MilterConnectError) -> MessageOutcome {
        MessageOutcome(
            sequence: item.sequence, entry: entries[item.entry], result: nil, connectError: error.description,
            connectionFindings: [], latency: .zero)
    }
}

/// One milter connection of a worker and the outcome it holds back until it knows whether QUIT
/// turns up a finding (when the connection is watched after QUIT, until the watch ends, while the
/// worker goes on with its next connection).
private struct Session {
    let connection: MilterClientConnection
    var used = 0
    var held: MessageOutcome?
    var pendingFindings: [Finding]
    /// With `--verbose`: every frame of the connection, and whether it is rendered as JSON.
    var transcript: (frames: LiveTranscript, json: Bool)?

    /// Opens a connection and sends CONNECT and HELO; with `transcriptsAsJSON` set, a transcript records
    /// its frames.
    static func open(
        _ address: MilterAddress, configuration: MilterClientConfiguration, client: SMTPClient,
        eventLoop: any EventLoop, transcriptsAsJSON: Bool?
    ) async throws(MilterConnectError) -> Session {
        var configuration = configuration
        let transcript = transcriptsAsJSON.map { (frames: LiveTranscript(milter: address), json: $0) }
        configuration.frameTap = transcript?.frames.tap
        let connection = try await MilterClientConnection.open(
            to: address, configuration: configuration, client: client, group: eventLoop)
        await connection.connect()
        await connection.helo()
        return Session(
            connection: connection, pendingFindings: await connection.connectionFindings, transcript: transcript)
    }

    mutating func send(
        _ entry: CorpusEntry, item: WorkQueue.Item, startLag: Duration?, report: (MessageOutcome) -> Void
    ) async {
        let result = await connection.send(entry.message)
        used += 1
        let latency = item.scheduled.map { $0.duration(to: .now) } ?? result.duration
        if let held { report(held) }
        held = MessageOutcome(
            sequence: item.sequence, entry: entry, result: result, connectError: nil,
            connectionFindings: pendingFindings, latency: latency)
        held?.startLag = startLag
        pendingFindings = []
    }

    mutating func close(report: @escaping @Sendable (MessageOutcome) -> Void) async {
        guard var last = held else {
            await connection.quit()
            return
        }
        held = nil
        last.finishedAt = .now
        // The transcript is rendered when the connection's watch after QUIT ends, so that it has every frame.
        let transcript = self.transcript
        let number = connection.number
        await connection.quit { [last] findings in
            var outcome = last
            outcome.connectionFindings += findings
            if let transcript { outcome.transcript = transcript.frames.render(number: number, json: transcript.json) }
            report(outcome)
        }
    }
}
