import MilterProtocol
import MilterTestSupport
import Testing

@testable import MilterClient

/// A peer that writes as soon as it accepts and closes (an SMTP server's greeting): what it wrote is the answer
/// to OPTNEG, however soon it came. The reply reader, added as the channel was set up, was looked up in the
/// pipeline once the connect had completed; a greeting read and the channel closed before that lookup had
/// taken the reader out of the pipeline, and the connection failed as "closed as soon as it accepted it".
@Suite(.tags(.integration)) struct GreetingAtAcceptTests {
    @Test func aGreetingAtAcceptIsReadAsTheAnswerToOPTNEG() async throws {
        let server = try GreetingServer(greeting: "220 mx.example.test ESMTP\r\n", closing: true)
        defer { server.stop() }
        for attempt in 1...200 {
            let connection: MilterClientConnection
            do {
                connection = try await MilterClientConnection.open(to: .inet(host: "127.0.0.1", port: server.port))
            } catch {
                Issue.record("attempt \(attempt): \(error)")
                return
            }
            let finding = await connection.negotiation.finding
            await connection.quit()
            let error = try #require(finding?.protocolError, "attempt \(attempt): \(String(describing: finding))")
            #expect(error.code == .frameTooLarge && error.streamOffset == 0, "attempt \(attempt): \(error)")
        }
    }
}
