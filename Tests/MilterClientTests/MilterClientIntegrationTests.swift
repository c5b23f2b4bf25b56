import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

/// The actor, its channel and its reply inbox end to end, against the scripted milter over a
/// real loopback (or unix-domain) socket, with real timers. The behaviour itself is tested on
/// the state machine with no socket; these few check that the actor carries it out (and, where
/// they loop over ``Driver``, the blocking connection too).
@Suite(.tags(.integration), .timingSensitive) struct MilterClientIntegrationTests {
    @Test func postfixOrderWithMacrosBeforeEveryHeaderAndBodyChunk() async throws {
        for driver in Driver.allCases {
            let (result, milter, findings) = try await Fixtures.run(Scripts.wellBehaved(), driver: driver)
            #expect(findings.isEmpty)
            #expect(result.verdict == .accept)
            // The client closes right after QUIT without waiting for the milter: wait for it to read QUIT.
            try await waitUntil { milter.eventIDs.last == .quit }
            Fixtures.expectPostfixOrder(milter.eventIDs, milter.macroPackets)
        }
    }

    @Test func unixDomainSocket() async throws {
        let path = "/tmp/milter-client-test-\(UInt32.random(in: 0...UInt32.max)).sock"
        let milter = try await ScriptedMilter(unixPath: path, script: Scripts.wellBehaved())
        let connection = try await MilterClientConnection.open(
            to: try MilterAddress(parsing: "unix:\(path)"), configuration: Fixtures.configuration())
        await connection.connect()
        let result = await connection.send(Fixtures.message)
        await connection.quit()
        await milter.stop()
        #expect(result.verdict == .accept)
        #expect(milter.eventIDs.contains(.endOfMessage))
    }

    @Test func unixDomainSocketWithABlockingConnection() async throws {
        let path = "/tmp/milter-client-test-\(UInt32.random(in: 0...UInt32.max)).sock"
        let milter = try await ScriptedMilter(unixPath: path, script: Scripts.wellBehaved())
        let address = try MilterAddress(parsing: "unix:\(path)")
        let result = try await Driver.onThread {
            let connection = try BlockingMilterConnection.open(to: address, configuration: Fixtures.configuration())
            connection.connect()
            let result = connection.send(Fixtures.message)
            connection.quit { _ in }
            return result
        }
        await milter.stop()
        #expect(result.verdict == .accept)
        #expect(milter.eventIDs.contains(.endOfMessage))
    }

    @Test func abortAtAnyPoint() async throws {
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let connection = try await Fixtures.open(milter)
        await connection.mail(Fixtures.sender)
        await connection.recipient(Fixtures.recipients[0])
        let aborted = await connection.abort()
        let next = await connection.send(Fixtures.message)
        await connection.quit()
        await milter.stop()
        #expect(aborted.wasAborted)
        #expect(aborted.steps.map(\.command) == [.mail, .recipient, .abort])
        #expect(next.verdict == .accept && !next.wasAborted)
        #expect(milter.eventIDs.prefix(6) == [.optionNegotiation, .connect, .helo, .mail, .recipient, .abort])
    }

    @Test func replyToAbort() async throws {
        let milter = try await ScriptedMilter(
            script: Scripts.wellBehaved { $0 == .abort ? [.reply(.continue)] : nil })
        let connection = try await Fixtures.open(milter)
        let result = await connection.send(Fixtures.message)
        #expect(result.verdict == .accept)
        let finding = try #require(await connection.listenForStrayReplies(for: .seconds(10)))
        #expect(finding.code == "replyToNoReplyCommand")
        #expect(finding.step == .abort)
        await connection.quit()
        await milter.stop()
    }

    @Test func timeout() async throws {
        for driver in Driver.allCases {
            let (result, _, _) = try await Fixtures.run(
                Scripts.wellBehaved(endOfMessage: []),
                configuration: Fixtures.configuration(endOfMessage: .milliseconds(200)), driver: driver)
            #expect(result.findings.map(\.code) == ["timeout"])
            #expect(result.findings.first?.step == .endOfMessage)
            #expect(result.verdict == .tempfail)
        }
    }

    @Test func progressResetsTheTimeout() async throws {
        // Each pause is well inside the timeout (16 s of room for a busy machine); together they exceed it.
        let slow: [ScriptedMilter.Action] =
            Array(repeating: [.pause(.seconds(4)), .reply(.progress)], count: 5).flatMap { $0 } + [
                .pause(.seconds(4)), .reply(.accept),
            ]
        let (result, _, findings) = try await Fixtures.run(
            Scripts.wellBehaved(endOfMessage: slow),
            configuration: Fixtures.configuration(endOfMessage: .seconds(20)))
        #expect(result.findings.isEmpty)
        #expect(findings.isEmpty)
        #expect(result.verdict == .accept)
    }
}
