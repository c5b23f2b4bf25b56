import MilterClient
import MilterProtocol
import NIOCore

/// Plays a ``SessionScript`` through the fake MTA and judges it.
struct SessionCaseRunner: Sendable {
    let address: MilterAddress
    let configuration: MilterClientConfiguration

    /// The milter's answer to `offer` (the probe: what it asks for when offered everything); nil with the
    /// reason when it could not negotiate.
    func negotiate(_ offer: OptionNegotiation) async throws(MilterConnectError) -> Result<NegotiatedOptions, Finding> {
        var configuration = configuration
        configuration.offer = offer
        let connection = try await MilterClientConnection.open(to: address, configuration: configuration)
        let negotiation = await connection.negotiation
        let options = await connection.options
        await connection.quit()
        if let finding = negotiation.finding { return .failure(finding) }
        guard let options else { return .failure(Finding(.endOfFile, step: .optionNegotiation)) }
        return .success(options)
    }

    func run(_ script: SessionScript) async throws(MilterConnectError) -> ConformanceResult.Status {
        var configuration = configuration
        configuration.offer = script.offer
        let connection = try await MilterClientConnection.open(to: address, configuration: configuration)
        var trace = SessionTrace(
            agreed: await connection.options, negotiation: await connection.negotiation, records: [], findings: [])
        if let finding = trace.negotiation.finding { trace.findings.append(finding) }
        // Flags the MTA did not offer would be in force for the fake MTA; the milter is wrong to ask for them.
        if let unoffered = await connection.negotiationWarnings.first(where: { $0.code == .protocolNotOffered }) {
            await connection.quit()
            return .fail("the milter's OPTNEG answer: \(unoffered)")
        }
        if let agreed = trace.agreed, let reason = script.appliesToAgreement(agreed) {
            await connection.quit()
            return .skip(reason)
        }
        for step in script.steps {
            switch step {
            case .send(let command, let macros):
                let record = await connection.replay(command, macros: macros)
                trace.records.append(record)
                if let finding = record.finding { trace.findings.append(finding) }
            case .listen(let duration):
                if let finding = await connection.listenForStrayReplies(for: duration) {
                    trace.findings.append(finding)
                }
            case .closeWithoutQuit:
                await connection.closeWithoutQuit()
            case .reconnect:
                if case .failure(let finding) = try await negotiate(script.offer) {
                    return .fail("a new connection after that failed: \(finding)")
                }
            }
        }
        trace.findings += await connection.quit()
        return Self.judge(trace, script)
    }

    static func judge(_ trace: SessionTrace, _ script: SessionScript) -> ConformanceResult.Status {
        if let first = trace.findings.first {
            let more = trace.findings.count > 1 ? " (and \(trace.findings.count - 1) more)" : ""
            return .fail("\(first.code) \(first)\(more)")
        }
        if let problem = script.check(trace) { return .fail(problem) }
        return .pass
    }
}
