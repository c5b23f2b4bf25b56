import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

/// Hostile milters against the client over a real loopback socket, with real timers: each case
/// ends with a named finding within the step's deadline, and the message gets the default action.
/// Timeouts are 10 s per reply and a 20 s deadline: short enough that the cases take tens of seconds, long enough
/// that the scripted milter, running in the test process, answers the ordinary steps in time however starved
/// the process is; the time limit is only the "it does not hang" bound. Most cases run once per ``Driver`` (the event loop
/// actor and the blocking connection), both in one test so that they take one timing slot.
@Suite(.tags(.integration), .timeLimit(.minutes(10)), .timingSensitive) struct HostileMilterTests {
    static func configuration() -> MilterClientConfiguration {
        var configuration = Fixtures.configuration()
        configuration.timeouts = MilterTimeouts(
            connect: .seconds(10), command: .seconds(10), content: .seconds(10), endOfMessage: .seconds(10),
            stepDeadline: .seconds(20))
        return configuration
    }

    /// Runs one message against a milter answering end of message with `actions`.
    private static func endOfMessage(
        _ actions: [ScriptedMilter.Action], _ driver: Driver
    ) async throws -> TransactionResult {
        let (result, _, _) = try await Fixtures.run(
            Scripts.wellBehaved(endOfMessage: actions), configuration: configuration(), driver: driver)
        return result
    }

    /// One frame's bytes.
    private static func frame(_ reply: MilterReply) -> [UInt8] {
        var buffer = ByteBuffer()
        try! buffer.writeMilterReply(reply)
        return Array(buffer.readableBytesView)
    }

    /// `bytes` one at a time, `gap` apart.
    private static func trickle(_ bytes: [UInt8], gap: TimeAmount) -> [ScriptedMilter.Action] {
        bytes.flatMap { [.raw([$0]), .pause(gap)] }
    }

    private static func expectTempfail(
        _ result: TransactionResult, _ code: String, at step: MilterCommand.ID, _ driver: Driver
    ) {
        #expect(result.findings.map(\.code) == [code], "\(driver)")
        #expect(result.findings.first?.step == step, "\(driver)")
        #expect(result.verdict == .tempfail, "\(driver)")
    }

    @Test func aHugeReplyLengthIsRefusedBeforeBuffering() async throws {
        for driver in Driver.allCases {
            let result = try await Self.endOfMessage(
                [
                    .raw([0x7F, 0xFF, 0xFF, 0xFF, UInt8(ascii: "y")]), .pause(.seconds(30)),
                ], driver)
            Self.expectTempfail(result, "frameTooLarge", at: .endOfMessage, driver)
        }
    }

    @Test func endlessProgressEndsAtTheDeadline() async throws {
        for driver in Driver.allCases {
            let endless = Array(
                repeating: [ScriptedMilter.Action.reply(.progress), .pause(.milliseconds(100))], count: 3_000)
            let result = try await Self.endOfMessage(endless.flatMap { $0 }, driver)
            Self.expectTempfail(result, "deadline", at: .endOfMessage, driver)
            guard case .deadline(let amount, let replies, let progress) = result.findings.first?.kind else { continue }
            #expect(amount == .seconds(20))
            #expect(progress == replies)
            #expect(progress >= 5)
        }
    }

    @Test func progressOneByteAtATimeEndsAtTheDeadline() async throws {
        for driver in Driver.allCases {
            // Each PROGRESS frame takes 0.5 s to arrive, well within the 10 s per reply, forever.
            let frame = Self.frame(.progress)
            let slow = Array(repeating: Self.trickle(frame, gap: .milliseconds(100)), count: 600)
            let result = try await Self.endOfMessage(slow.flatMap { $0 }, driver)
            Self.expectTempfail(result, "deadline", at: .endOfMessage, driver)
        }
    }

    @Test func aReplyOneByteAtATimeTimesOut() async throws {
        for driver in Driver.allCases {
            let frame = Self.frame(.replyCode("550 5.7.1 slowly, one byte at a time"))
            let result = try await Self.endOfMessage(Self.trickle(frame, gap: .seconds(1)), driver)
            Self.expectTempfail(result, "timeout", at: .endOfMessage, driver)
        }
    }

    @Test func silenceTimesOut() async throws {
        for driver in Driver.allCases {
            let result = try await Self.endOfMessage([], driver)
            Self.expectTempfail(result, "timeout", at: .endOfMessage, driver)
        }
    }

    @Test func aReplyToAbortIsFound() async throws {
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved { $0 == .abort ? [.reply(.continue)] : nil })
        let connection = try await Fixtures.open(milter, configuration: Self.configuration())
        let result = await connection.send(Fixtures.message)
        #expect(result.verdict == .accept)
        let finding = await connection.listenForStrayReplies(for: .seconds(10))
        #expect(finding?.code == "replyToNoReplyCommand")
        #expect(finding?.step == .abort)
        await connection.quit()
        await milter.stop()
    }

    @Test func aModificationBeforeEndOfMessageIsFound() async throws {
        for driver in Driver.allCases {
            let header = MilterReply.addHeader(HeaderField(name: "X-Early", value: "1"))
            let (result, milter, _) = try await Fixtures.run(
                Scripts.wellBehaved { $0.id == .mail ? [.reply(header), .reply(.continue)] : nil },
                configuration: Self.configuration(), driver: driver)
            Self.expectTempfail(result, "modificationBeforeEndOfMessage", at: .mail, driver)
            #expect(!milter.eventIDs.contains(.recipient))
        }
    }

    @Test func aCloseMidReplyIsATruncatedFrame() async throws {
        for driver in Driver.allCases {
            let frame = Self.frame(.replyCode("550 5.7.1 cut"))
            let result = try await Self.endOfMessage(
                [.raw(Array(frame.prefix(8))), .pause(.milliseconds(50)), .close], driver)
            Self.expectTempfail(result, "truncatedFrame", at: .endOfMessage, driver)
        }
    }

    @Test func aMillionModificationsStopAtTheLimit() async throws {
        for driver in Driver.allCases {
            let frame = Self.frame(.addHeader(HeaderField(name: "X-Flood", value: "1")))
            var flood: [UInt8] = []
            flood.reserveCapacity(frame.count * 1_000_000)
            for _ in 0..<1_000_000 { flood.append(contentsOf: frame) }
            let result = try await Self.endOfMessage([.raw(flood), .reply(.accept)], driver)
            Self.expectTempfail(result, "tooManyModifications", at: .endOfMessage, driver)
            #expect(result.findings.first?.kind == .overLimit(.modificationCount(10_000)))
        }
    }

    @Test func aFloodOfRepliesBetweenStepsIsCutOff() async throws {
        for driver in Driver.allCases {
            // 20,000 CONTINUEs after HELO's reply; the limit is cut to 64,000 bytes (1,000 replies)
            // so that the debug build decodes enough of them well within the pause below.
            var flood: [UInt8] = []
            for _ in 0..<20_000 { flood.append(contentsOf: Self.frame(.continue)) }
            let bytes = flood
            let recorder = FrameTapTests.Recorder()
            var configuration = Self.configuration()
            configuration.maximumReplyLength = 1000
            configuration.limits.maximumUnreadReplyBytes = 64_000
            configuration.frameTap = recorder.tap
            let milter = try await ScriptedMilter(
                script: Scripts.wellBehaved { $0.id == .helo ? [.reply(.continue), .raw(bytes)] : nil })
            // The flood arrives within milliseconds; two seconds is the generous bound.
            let (result, _) = try await driver.run(
                milter, configuration: configuration, message: Fixtures.message, pause: .seconds(2))
            await milter.stop()
            // The replies kept are found before MAIL goes: the stray reply's finding, as for a
            // shorter flood (bothDriversJudgeAFloodAndAStrayReplyAlike).
            Self.expectTempfail(result, "unsolicitedReply", at: .helo, driver)
            #expect(!milter.eventIDs.contains(.mail))
            // Reading stopped at the limit, not after the 20,000 sent: OPTNEG's, CONNECT's and
            // HELO's replies, the unread ones that fit (1,000, or 999 if HELO's reply was still
            // queued in the same read) and the one past the limit.
            let replies = recorder.events.withLockedValue { $0.filter { $0.direction == .fromMilter }.count }
            #expect((3 + 999 + 1...3 + 1_000 + 1).contains(replies), "\(driver): \(replies)")
        }
    }

    /// The same milter through both drivers, with no pause before the message: the event loop
    /// hands HELO the first reply of a read and finds the rest of that read as stray replies
    /// before MAIL goes, while the blocking socket reads all that arrived by then, past the
    /// unread-reply limit for the flood. Both give the stray reply's finding, however much of the
    /// flood they read: a flood and one reply too many (in the same write as HELO's, so that both
    /// drivers have it before MAIL) are the same fault, found at HELO.
    @Test func bothDriversJudgeAFloodAndAStrayReplyAlike() async throws {
        // HELO's reply and 100,000 more in one write, so that both drivers have some before MAIL;
        // they cost 6.4 MB, over the limit of 2 MB (32,768 replies, 164 kB on the wire), which is
        // more than the event loop reads at once.
        var flood: [UInt8] = []
        for _ in 0...100_000 { flood.append(contentsOf: Self.frame(.continue)) }
        let scripts: [(name: String, actions: [ScriptedMilter.Action])] = [
            ("flood", [.raw(flood)]), ("one stray", [.together([.continue, .continue])]),
        ]
        var configuration = Self.configuration()
        configuration.maximumReplyLength = 1000
        configuration.limits.maximumUnreadReplyBytes = 2 << 20
        for (name, actions) in scripts {
            var findings: [Driver: [Finding]] = [:]
            for driver in Driver.allCases {
                let milter = try await ScriptedMilter(
                    script: Scripts.wellBehaved { $0.id == .helo ? actions : nil })
                let (result, _) = try await driver.run(milter, configuration: configuration, message: Fixtures.message)
                await milter.stop()
                findings[driver] = result.findings
                #expect(result.verdict == .tempfail, "\(name), \(driver)")
                #expect(!milter.eventIDs.contains(.mail), "\(name), \(driver)")
            }
            // The whole finding, its text included, not only its code.
            #expect(findings[.eventLoop] == findings[.blocking], "\(name)")
            #expect(findings[.blocking]?.map(\.code) == ["unsolicitedReply"], "\(name)")
            #expect(findings[.blocking]?.first?.step == .helo, "\(name)")
        }
    }

    @Test func aMilterThatStopsReadingDoesNotHoldTheWrite() async throws {
        // NR on the body, so the whole body and end of message leave in one write; the milter
        // stops reading after end of headers, so once the socket buffers are full the write stalls.
        // 24 MB is more than the loopback buffers hold (4 MB to send; the receiver's window does not
        // grow while nothing is read).
        let answer = Scripts.answer(flags: [.noReplyBody])
        var message = Fixtures.message
        message.body = Array(repeating: UInt8(ascii: "x"), count: 24 << 20)
        for driver in Driver.allCases {
            let milter = try await ScriptedMilter(
                script: Scripts.wellBehaved(answer: answer) {
                    $0.id == .endOfHeaders ? [.reply(.continue), .stopReading] : nil
                })
            let (result, _) = try await driver.run(milter, configuration: Self.configuration(), message: message)
            await milter.stop()
            #expect(result.verdict == .tempfail, "\(driver)")
            let finding = try #require(result.findings.first, "\(driver)")
            switch driver {
            case .eventLoop:
                // NIO queues what it cannot write; the wait for the reply times out.
                #expect(finding.code == "timeout", "\(finding)")
            case .blocking:
                // The write itself gives up after the step's timeout and says so.
                #expect(finding.code == "ioError", "\(finding)")
                #expect("\(finding)".contains("write timed out"), "\(finding)")
            }
        }
    }
}
