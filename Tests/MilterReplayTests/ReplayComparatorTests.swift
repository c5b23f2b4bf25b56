import MilterClient
import MilterProtocol
import MilterReplayKit
import Testing

/// What "same" means, step by step: a recorded session and a replay built by hand.
struct ReplayComparatorTests {
    static let offer = Negotiation.postfixOffer()
    static let answer = OptionNegotiation(version: .v6, actions: .init(rawValue: 0xFF), protocolFlags: [])
    static let noReplyAnswer = OptionNegotiation(
        version: .v6, actions: .init(rawValue: 0xFF), protocolFlags: [.noReplyHelo, .noHeaders])

    /// A script with the recorded `answer` and one step per (command, recorded replies).
    static func script(_ steps: [(MilterCommand, [MilterReply])], answer: OptionNegotiation = answer) -> ReplayScript {
        let recorded = steps.enumerated().map { index, step in
            RecordedStep(number: index + 1, command: step.0, macros: [], packet: 10 + index, replies: step.1)
        }
        return ReplayScript(
            label: "stream 0", offer: offer, negotiationReplies: [.optionNegotiation(answer)],
            recordedOptions: try? Negotiation.mtaAgreement(offer: offer, answer: answer).agreed, steps: recorded)
    }

    /// What the target did: its OPTNEG `answer` and one record per step.
    static func replay(_ records: [StepRecord], answer: OptionNegotiation = answer) -> ReplayedSession {
        ReplayedSession(
            negotiation: StepRecord(
                command: .optionNegotiation, delivery: .awaited, replies: [.optionNegotiation(answer)]),
            steps: records, duration: .zero)
    }

    static func awaited(_ command: MilterCommand.ID, _ replies: [MilterReply]) -> StepRecord {
        StepRecord(command: command, delivery: .awaited, replies: replies)
    }

    static let helo = MilterCommand.helo("mx.example.test")
    static let header = MilterCommand.header(HeaderField(name: "Subject", value: "hi"))
    static let eom = MilterCommand.endOfMessage(.init())
    static let comparator = ReplayComparator(mask: ReplyMask(ignoredHeaders: ["X-Stamp"]))

    @Test func equalRepliesAreTheSame() {
        let script = Self.script([
            (Self.helo, [.continue]), (Self.eom, [.addHeader(.init(name: "X-A", value: "1")), .accept]),
        ])
        let result = Self.comparator.compare(
            script,
            with: Self.replay([
                Self.awaited(.helo, [.continue]),
                Self.awaited(.endOfMessage, [.progress, .addHeader(.init(name: "X-A", value: "1")), .accept]),
            ]))
        #expect(result.isSame)
        #expect(result.compared == 3)
    }

    @Test func anotherModificationOrVerdictDiffers() {
        let script = Self.script([(Self.eom, [.addHeader(.init(name: "X-A", value: "1")), .accept])])
        let result = Self.comparator.compare(
            script,
            with: Self.replay([Self.awaited(.endOfMessage, [.addHeader(.init(name: "X-A", value: "2")), .accept])]))
        #expect(result.differences.map(\.steps) == [1...1])
        #expect(result.differences.first?.recorded == #"ADDHEADER name="X-A" value="1", ACCEPT"#)
        #expect(result.differences.first?.now == #"ADDHEADER name="X-A" value="2", ACCEPT"#)
        #expect(result.differences.first?.packet == 10)
    }

    @Test func ignoredHeaderValuesAreTheSame() {
        let script = Self.script([(Self.eom, [.addHeader(.init(name: "X-Stamp", value: "t=1")), .accept])])
        let result = Self.comparator.compare(
            script,
            with: Self.replay([
                Self.awaited(.endOfMessage, [.addHeader(.init(name: "X-Stamp", value: "t=2")), .accept])
            ]))
        #expect(result.isSame)
    }

    @Test func aContinueTheTargetDidNotAwaitIsTheSame() {
        // The target negotiated NR_HELO and NOHDRS; the recording answered both with CONTINUE.
        let script = Self.script([(Self.helo, [.continue]), (Self.header, [.continue])])
        let result = Self.comparator.compare(
            script,
            with: Self.replay(
                [
                    StepRecord(command: .helo, delivery: .sentWithoutReply),
                    StepRecord(command: .header, delivery: .skipped),
                ], answer: Self.noReplyAnswer))
        #expect(result.differences.map(\.command) == ["OPTNEG"])
        #expect(result.unansweredNow == 2)
        #expect(result.allNotes.first?.hasPrefix("2 steps the recorded milter answered CONTINUE") == true)
    }

    @Test func aVerdictTheTargetDidNotGiveDiffers() {
        let script = Self.script([(Self.helo, [.reject])])
        let result = Self.comparator.compare(
            script,
            with: Self.replay([StepRecord(command: .helo, delivery: .sentWithoutReply)], answer: Self.noReplyAnswer))
        #expect(result.differences.map(\.command) == ["OPTNEG", "HELO"])
    }

    @Test func aStepTheRecordedMilterDidNotAnswerIsComparedAsContinue() {
        let script = Self.script([(Self.helo, []), (Self.header, [])], answer: Self.noReplyAnswer)
        let same = Self.comparator.compare(
            script,
            with: Self.replay([Self.awaited(.helo, [.continue]), Self.awaited(.header, [.continue])]))
        #expect(same.differences.map(\.command) == ["OPTNEG"])
        #expect(same.unansweredRecorded == 2)
        let rejected = Self.comparator.compare(
            script, with: Self.replay([Self.awaited(.helo, [.tempfail]), Self.awaited(.header, [.continue])]))
        #expect(rejected.differences.map(\.command) == ["OPTNEG", "HELO"])
    }

    @Test func stepsTheTargetNeverGotAreOneDifference() {
        let script = Self.script([(Self.helo, [.continue]), (Self.header, [.continue]), (Self.eom, [.accept])])
        let notSent = StepRecord(command: .header, delivery: .notSent, smtpReply: "550 5.7.1 Command rejected")
        let result = Self.comparator.compare(
            script,
            with: Self.replay([
                Self.awaited(.helo, [.reject]), notSent, StepRecord(command: .endOfMessage, delivery: .notSent),
            ]))
        #expect(result.differences.map(\.steps) == [1...1, 2...3])
        #expect(result.differences.last?.command == "HEADER..BODYEOB")
        #expect(result.differences.last?.now == #"not sent (the MTA answers "550 5.7.1 Command rejected")"#)
    }

    @Test func aFindingAlwaysDiffers() {
        let script = Self.script([(Self.helo, [.continue])])
        let finding = Finding(.endOfFile, step: .helo)
        let result = Self.comparator.compare(
            script, with: Self.replay([StepRecord(command: .helo, delivery: .awaited, finding: finding)]))
        #expect(result.differences.first?.now.hasPrefix("FINDING eof") == true)
    }

    @Test func anIncompleteRecordedReplyIsANote() {
        var script = Self.script([(Self.eom, [])])
        let step = script.steps[0]
        let steps = [
            RecordedStep(
                number: step.number, command: step.command, macros: step.macros, packet: step.packet,
                replies: step.replies, repliesComplete: false)
        ]
        script = ReplayScript(
            label: script.label, offer: script.offer, negotiationReplies: script.negotiationReplies,
            recordedOptions: script.recordedOptions, steps: steps)
        let result = Self.comparator.compare(script, with: Self.replay([Self.awaited(.endOfMessage, [.accept])]))
        #expect(result.isSame)
        #expect(result.notes == ["step 1 BODYEOB: not compared: the recorded reply is not complete in the capture"])
    }

    /// A warning (a reply the MTA takes, such as Sendmail's SKIP before the body) is a note, and the step's
    /// replies are still compared; an error finding is a difference.
    @Test func aWarningIsANoteAndTheRepliesAreStillCompared() {
        let script = Self.script([(Self.helo, [.skip])])
        let violation = MilterProtocolError(.replyNotAllowedHere, commandByte: MilterReply.ID.skip.rawValue)
        var taken = Self.awaited(.helo, [.skip])
        taken.finding = Finding(.protocolViolation(violation), step: .helo, severity: .warning)
        let result = Self.comparator.compare(script, with: Self.replay([taken]))
        #expect(result.isSame, "\(result.differences)")
        #expect(result.notes.contains { $0.contains("WARNING replyNotAllowedHere") }, "\(result.notes)")
        var refused = Self.awaited(.helo, [.skip])
        refused.finding = Finding(.protocolViolation(violation), step: .helo)
        #expect(!Self.comparator.compare(script, with: Self.replay([refused])).isSame)
    }
}
