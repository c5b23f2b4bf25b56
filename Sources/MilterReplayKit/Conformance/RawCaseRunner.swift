import MilterClient
import MilterProtocol
import NIOCore

/// Writes bytes as the first thing on a connection and judges how the milter takes them: it must close without
/// answering, and still negotiate on a new connection.
struct RawCaseRunner: Sendable {
    let address: MilterAddress
    let configuration: MilterClientConfiguration
    /// How long the milter has to close after the bytes, unless `--timeout` is shorter.
    static let closeTimeout: TimeAmount = .seconds(10)

    func run(_ bytes: [UInt8]) async throws(MilterConnectError) -> ConformanceResult.Status {
        let socket: RawSocket
        do {
            socket = try await RawSocket.open(address, timeout: configuration.effectiveTimeouts.connect)
        } catch {
            return .fail("cannot connect to the milter: \(error)")
        }
        await socket.write(bytes)
        let wait = ConformanceSuite.wait(Self.closeTimeout, under: configuration.timeouts)
        let (answer, closed) = await socket.wait(upTo: wait) { _, closed in closed }
        await socket.close()
        if let problem = Self.judge(answer, closed: closed, waited: wait) { return .fail(problem) }
        let again = SessionCaseRunner(address: address, configuration: configuration)
        if case .failure(let finding) = try await again.negotiate(configuration.profile.offer(version: .v6)) {
            return .fail("after that the milter no longer negotiates on a new connection: \(finding)")
        }
        return .pass
    }

    static func judge(_ answer: [UInt8], closed: Bool, waited: TimeAmount) -> String? {
        if !answer.isEmpty {
            let shown = answer.prefix(16).map { String($0, radix: 16) }.joined(separator: " ")
            return "the milter answered \(answer.count) bytes (\(shown)) instead of closing the connection"
        }
        let milliseconds = waited.nanoseconds / 1_000_000
        let shown = milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
        return closed ? nil : "the milter neither closed the connection nor answered within \(shown)"
    }
}
