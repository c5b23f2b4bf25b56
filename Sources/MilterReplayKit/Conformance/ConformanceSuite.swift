import MilterClient
import MilterProtocol

/// Runs catalogue cases against one milter: the probe negotiation first, then each case on its own connection.
package struct ConformanceSuite: Sendable {
    package let address: MilterAddress
    package let configuration: MilterClientConfiguration

    package init(address: MilterAddress, configuration: MilterClientConfiguration) {
        self.address = address
        self.configuration = configuration
    }

    /// What the milter asks for when offered everything; nil with the finding when it does not negotiate.
    package func probe() async throws(MilterConnectError) -> (asked: NegotiatedOptions, problem: Finding?) {
        let runner = SessionCaseRunner(address: address, configuration: configuration)
        switch try await runner.negotiate(configuration.profile.offer(version: .v6)) {
        case .success(let options): return (options, nil)
        case .failure(let finding):
            return (NegotiatedOptions(version: .v6, actions: [], protocolFlags: [], symbolLists: []), finding)
        }
    }

    /// Runs one case; a milter that cannot be reached any more fails the case.
    package func run(_ testCase: ConformanceCase, context: CaseContext) async -> ConformanceResult {
        let start = ContinuousClock.now
        let status: ConformanceResult.Status
        if let reason = testCase.applies(context) {
            status = .skip(reason)
        } else {
            do {
                switch testCase.script(context) {
                case .session(let script):
                    status = try await SessionCaseRunner(address: address, configuration: configuration).run(script)
                case .raw(let script):
                    status = try await RawCaseRunner(address: address, configuration: configuration)
                        .run(script, offer: CaseBuilder(context).offer())
                }
            } catch {
                status = .fail(error.description)
            }
        }
        let elapsed = start.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return ConformanceResult(testCase, status: status, seconds: seconds)
    }
}
