import MilterClient
import NIOCore
import ReferenceMilterCLI
import Testing

/// `MilterConfiguration.server` holds the program's server defaults: `daemon` and `test` options override
/// them only when given (they used to set every field from the options' own defaults).
@Suite struct ConfiguredServerTests {
    static let refused = ReferenceMilter.Verdict.reject(.sanitized(code: 554, enhancedCode: "5.7.0", text: "Nope"))

    static var server: ServerConfiguration {
        var server = ServerConfiguration(
            threads: 7, classifierTimeout: .milliseconds(2_500), drainTimeout: .seconds(33), maximumConnections: 123,
            protocolOptions: ProtocolOptions(truncate: 4_096, failureVerdict: refused))
        server.timeouts.idle = .seconds(44)
        server.timeouts.handshake = .seconds(3)
        server.unixSocket.mode = 0o600
        return server
    }

    @Test func daemonKeepsTheProgramsServerDefaults() throws {
        let configuration = try MilterCommandLine.daemonServerConfiguration(arguments: [], server: Self.server)
        #expect(configuration.threads == 7)
        #expect(configuration.classifierTimeout == .milliseconds(2_500))
        #expect(configuration.protocolOptions.failureVerdict == Self.refused)
        #expect(configuration.protocolOptions.truncate == 4_096)
        #expect(configuration.drainTimeout == .seconds(33))
        #expect(configuration.maximumConnections == 123)
        #expect(configuration.timeouts.idle == .seconds(44) && configuration.timeouts.handshake == .seconds(3))
        #expect(configuration.unixSocket.mode == 0o600)
    }

    @Test func daemonOptionsGivenWin() throws {
        let configuration = try MilterCommandLine.daemonServerConfiguration(
            arguments: [
                "--threads", "2", "--classifier-timeout", "5", "--on-failure", "accept", "--drain-timeout", "1",
                "--max-connections", "50", "--idle-timeout", "9", "--socket-mode", "666",
            ], server: Self.server)
        #expect(configuration.threads == 2)
        #expect(configuration.classifierTimeout == .seconds(5))
        #expect(configuration.protocolOptions.failureVerdict == .accept)
        #expect(configuration.protocolOptions.truncate == 4_096)
        #expect(configuration.drainTimeout == .seconds(1) && configuration.maximumConnections == 50)
        #expect(configuration.timeouts.idle == .seconds(9) && configuration.timeouts.handshake == .seconds(3))
        #expect(configuration.unixSocket.mode == 0o666)
    }

    @Test func testKeepsTheProgramsServerDefaultsUnlessGiven() throws {
        let plain = try MilterCommandLine.testSettings(arguments: ["x.eml"], server: Self.server)
        #expect(plain.classifierTimeout == .milliseconds(2_500))
        #expect(plain.options.failureVerdict == Self.refused)
        #expect(plain.options.truncate == 4_096)
        let given = try MilterCommandLine.testSettings(
            arguments: ["x.eml", "--classifier-timeout", "1", "--on-failure", "tempfail"], server: Self.server)
        #expect(given.classifierTimeout == .seconds(1))
        #expect(given.options.failureVerdict == ProtocolOptions().failureVerdict)
    }

    /// The failure verdict reaches the message: a classifier that throws gets the program's reply.
    @Test func testGivesTheProgramsFailureVerdict() async throws {
        let settings = try MilterCommandLine.testSettings(arguments: ["x.eml"], server: Self.server)
        let run = try await TestRun.run(
            message: TestRunTests.message(), classifier: Throwing(), options: settings.options,
            classifierTimeout: settings.classifierTimeout, memory: settings.memory)
        #expect(run.outcome.verdict == "reject")
        #expect(run.replyText == "554 5.7.0 Nope")
        #expect(run.exitStatus == 1)
    }
}

/// Fails every classification.
struct Throwing: MailClassifier {
    struct Failure: Error {}

    func classify(_ mail: MailInfo) throws -> Decision { throw Failure() }
}
