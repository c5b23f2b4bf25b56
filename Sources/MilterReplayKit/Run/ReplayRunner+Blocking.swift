import MilterClient

extension ReplayRunner {
    /// One connection's loop on a thread of its own, with a blocking socket: open, send up to the
    /// per-connection count, quit, repeat. The same steps and reports as the event loop worker.
    func blockingWorker() {
        var session: BlockingSession?
        while let item = queue.take() {
            // Instants as offsets from the run's start (``WorkQueue/elapsed()``): no optional `Instant` to copy.
            var startLag: Duration?
            if let scheduled = item.scheduledOffset {
                BlockingSleep.until(queue.instant(at: scheduled))
                startLag = queue.elapsed() - scheduled
            }
            var opening: Duration?
            if session == nil {
                let began = queue.elapsed()
                opening = began
                do {
                    session = try BlockingSession(
                        address, configuration: configuration, client: client, transcriptsAsJSON: transcriptsAsJSON,
                        showsValues: showsValues)
                    reachability.reached()
                } catch {
                    let since = queue.instant(at: item.scheduledOffset ?? began)
                    if connectFailed(item, error, startLag: startLag, since: since) { return }
                    continue
                }
            }
            let entry = entries[item.entry]
            let connection = session!.connection
            let result = entry.withMessage { connection.send($0, lookupHash: entry.lookupHash) }
            session!.ledger.sent(
                result, entry: entry, item: item, opening: opening, startLag: startLag, queue: queue, report: report)
            // QUIT right after the session's last message, as an MTA does, not when the next one is due.
            if session!.ledger.used >= messagesPerConnection {
                session!.close(report: report)
                session = nil
            }
        }
        session?.close(report: report)
    }
}

/// One milter connection of a blocking worker, and its ledger. A class: the worker keeps it in an
/// optional, and a struct holding a ledger (with its held outcome's resilient `Instant`) was copied
/// out of it through the runtime's value witnesses at every message.
private final class BlockingSession {
    let connection: BlockingMilterConnection
    var ledger: SessionLedger

    /// Opens a connection and sends CONNECT and HELO; with `transcriptsAsJSON` set, a transcript records
    /// its frames.
    init(
        _ address: MilterAddress, configuration: MilterClientConfiguration, client: SMTPClient,
        transcriptsAsJSON: Bool?, showsValues: Bool
    ) throws(MilterConnectError) {
        var configuration = configuration
        ledger = SessionLedger(
            address: address, configuration: &configuration, transcriptsAsJSON: transcriptsAsJSON,
            showsValues: showsValues)
        connection = try BlockingMilterConnection.openAndGreet(
            to: address, configuration: configuration, client: client)
        ledger.opened(findings: connection.connectionFindings)
    }

    /// Sends QUIT and reports the last outcome with its findings: at once, unless the connection is
    /// watched after QUIT, without the handler a watch needs (a closure and a box for every connection).
    func close(report: @escaping @Sendable (MessageOutcome) -> Void) {
        var last = ledger.quitReport(connectionNumber: connection.number)
        connection.quit(
            now: { findings in
                if let quit = last.take() { quit.report(with: findings, to: report) }
            },
            watched: {
                guard let quit = last.take() else { return { _ in } }
                return quit.handler(report: report)
            })
    }
}
