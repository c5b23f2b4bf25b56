import MilterProtocol
import NIOCore

extension MilterClientConnection {
    /// Sends QUIT (unless the conversation is already over) and closes the socket right away, as
    /// Postfix does. Replies that were waiting before QUIT went out are findings, returned and
    /// kept in ``connectionFindings``.
    ///
    /// With a positive ``MilterClientConfiguration/quitDrainTimeout``, the connection is instead
    /// handed to ``MilterClientConfiguration/quitObserver`` and this returns at once: the
    /// connection stays open in the background until the milter closes, sends something (a
    /// finding), or the timeout passes. Those findings are added to ``connectionFindings`` when
    /// the watch ends; ``findingsAfterQuit()`` waits for them. When the observer already watches
    /// its maximum, the connection closes at once, unobserved.
    @discardableResult
    public func quit() async -> [Finding] {
        let observer = configuration.quitObserver
        let wanted = configuration.quitDrainTimeout > .zero && machine.socketOpen && !machine.isDraining
        let admitted = wanted && observer.admit()
        let outcome = run(machine.quitRequested(observed: admitted))
        guard case .waiting(let timeout) = outcome else {
            if admitted { observer.release() }
            guard case .finding(let finding) = outcome else { preconditionFailure("QUIT ends with a finding") }
            return finding.map { [$0] } ?? []
        }
        quitWatch.active = true
        Task { await watchAfterQuit(from: timeout, observer: observer) }
        return []
    }

    /// ``quit()``, then `handler` with every finding QUIT makes, exactly once: before this returns
    /// when the connection is not watched after QUIT, else when the watch ends, before
    /// ``QuitObserver/idle()`` returns. The caller goes on at once either way.
    public func quit(then handler: @escaping @Sendable ([Finding]) -> Void) async {
        let findings = await quit()
        if quitWatch.active {
            quitWatch.handlers.append(handler)
        } else {
            // A watch that already ended left its findings.
            handler(findings + quitWatch.findings)
        }
    }

    /// What the watch after QUIT found, once it has ended (at most
    /// ``MilterClientConfiguration/quitDrainTimeout`` after QUIT); empty at once when the
    /// connection is not watched.
    public func findingsAfterQuit() async -> [Finding] {
        guard quitWatch.active else { return quitWatch.findings }
        return await withUnsafeContinuation { continuation in
            quitWatch.handlers.append { continuation.resume(returning: $0) }
        }
    }

    /// Waits for the milter after QUIT, then closes, hands the findings on and frees the place.
    private func watchAfterQuit(from timeout: TimeAmount, observer: QuitObserver) async {
        let finding = await drive(from: .waiting(timeout)).foundFinding
        quitWatch.active = false
        quitWatch.findings = finding.map { [$0] } ?? []
        let handlers = quitWatch.handlers
        quitWatch.handlers = []
        for handler in handlers { handler(quitWatch.findings) }
        observer.release()
    }
}
