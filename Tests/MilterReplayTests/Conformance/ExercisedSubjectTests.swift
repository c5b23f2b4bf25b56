import MilterClient
import MilterProtocol
import MilterReplayKit
import MilterTestSupport
import Testing

/// A case is judged on the commands it is about (`exercises:`): it is not exercised only when one of those never
/// reached the milter; what an early verdict cut short after them does not count.
struct ExercisedSubjectTests {
    // MARK: The rule, on outcomes made by hand

    private static let acceptAtEOH = "not exercised: the milter's accept at EOH ended the session or transaction"

    private func outcome(
        exercises: [ExercisedCommand]?, keptBack: [(ExercisedCommand, expected: Bool)], checks: [ScenarioCheck] = []
    ) -> ScenarioOutcome {
        var outcome = ScenarioOutcome(
            name: "case", metadata: ScenarioMetadata(id: "area.case", exercises: exercises),
            location: ScenarioLocation(file: "case.yaml", line: 1, column: 1),
            status: checks.allSatisfy(\.passed) ? .passed : .failed, checks: checks, duration: .zero)
        outcome.unexercised = keptBack.map { command, expected in
            ScenarioOutcome.Unexercised(
                command: command, reason: "\(Self.acceptAtEOH) before \(command) reached the milter",
                checksBefore: checks.count, expected: expected)
        }
        return outcome
    }

    @Test func aCaseWhoseSubjectReachedTheMilterBeforeAnEarlyAcceptPasses() {
        let outcome = outcome(exercises: [.negotiate], keptBack: [(.body, false), (.eom, false)])
        #expect(outcome.notExercisedReason == nil)
        #expect(ConformanceSuite.status(outcome) == .pass)
    }

    @Test func aCaseWhoseSubjectCameAfterTheEarlyAcceptIsNotExercised() {
        let outcome = outcome(exercises: [.header, .eom], keptBack: [(.body, false), (.eom, false)])
        #expect(ConformanceSuite.status(outcome) == .notExercised("\(Self.acceptAtEOH) before eom reached the milter"))
    }

    /// A case that names nothing keeps the old rule: every command it sends is what it is about.
    @Test func aCaseThatDeclaresNothingIsAboutEveryCommand() {
        let outcome = outcome(exercises: nil, keptBack: [(.body, false), (.eom, false)])
        #expect(ConformanceSuite.status(outcome) == .notExercised("\(Self.acceptAtEOH) before body reached the milter"))
    }

    /// A step with an `expect` is checked on the milter's answer: its commands are a subject whatever
    /// `exercises` says, so a narrow declaration cannot turn a check on a command never sent into a pass or fail.
    @Test func aKeptBackCommandOfAStepWithAnExpectationIsASubject() {
        let outcome = outcome(exercises: [.negotiate], keptBack: [(.body, false), (.eom, true)])
        #expect(ConformanceSuite.status(outcome) == .notExercised("\(Self.acceptAtEOH) before eom reached the milter"))
    }

    @Test func aCaseThatFailedBeforeItsSubjectWasKeptBackStillFails() {
        let failed = ScenarioCheck(
            location: ScenarioLocation(file: "case.yaml", line: 4, column: 5), step: "rcpt", subject: "verdict",
            failure: "expected reject, got continue")
        let outcome = outcome(exercises: [.eom], keptBack: [(.eom, false)], checks: [failed])
        #expect(outcome.notExercisedReason == nil)
        #expect(ConformanceSuite.status(outcome).name == "fail")
    }

    @Test func aMilterThatBrokeAProtocolRuleFailsThoughItsSubjectWasKeptBack() {
        let broke = ScenarioCheck(
            location: ScenarioLocation(file: "case.yaml", line: 9, column: 5), step: "quit", subject: "protocol",
            failure: "the milter broke a rule: unsolicitedReply")
        var outcome = outcome(exercises: [.eom], keptBack: [(.eom, false)])
        outcome.checks.append(broke)
        outcome.status = .failed
        #expect(ConformanceSuite.status(outcome).name == "fail")
    }

    // MARK: The file format

    @Test func exercisesIsReadFromTheFile() throws {
        let text = """
            id: a.named
            exercises: [header, EOH, header]
            steps: [connect]
            ---
            id: a.all
            exercises: all
            steps: [connect]
            ---
            id: a.none
            steps: [connect]
            ---
            id: a.one
            exercises: negotiate
            steps: [connect]
            """
        let scenarios = try ScenarioParser.parse(text, file: "case.yaml")
        #expect(scenarios.map(\.metadata.exercises) == [[.header, .eoh], nil, nil, [.negotiate]])
    }

    @Test(arguments: [
        ("exercises: [optneg]\nsteps: [connect]\n", 1, 13, "unknown command 'optneg'; use all, or some of: negotiate"),
        ("exercises: []\nsteps: [connect]\n", 1, 12, "'exercises' is empty"),
    ])
    func aWrongExercisesIsReportedAtItsPlace(_ text: String, _ line: Int, _ column: Int, _ words: String) {
        do {
            _ = try ScenarioParser.parse(text, file: "case.yaml")
            Issue.record("parsed without error")
        } catch {
            #expect((error.location.line, error.location.column) == (line, column), "\(error)")
            #expect(error.description.contains(words), "\(error)")
        }
    }

    /// Every case of conformance/*.yaml says what it is about (`all` where that is every command), so that a new
    /// case has to decide too.
    @Test func everyCatalogueCaseDeclaresWhatItExercises() {
        for (name, text) in CatalogueFiles.files {
            let lines = text.split(separator: "\n")
            let ids = lines.filter { $0.hasPrefix("id: ") }.count
            let declared = lines.filter { $0.hasPrefix("exercises: ") }.count
            #expect(ids == declared, "conformance/\(name): \(ids) cases, \(declared) with exercises")
        }
        #expect(Catalogue.all.allSatisfy { !$0.exercises.isEmpty })
    }

    // MARK: End to end

    /// ABORT and QUIT leave no record when they do not go: the MTA sends no ABORT after a verdict that ended the
    /// session, and no QUIT once a SHUTDOWN made it close the socket. Cases about them are not exercised then.
    @Test func casesAboutAbortAndQuitAreNotExercisedAfterAShutdownAtConnect() async throws {
        let script = Scripts.wellBehaved { $0.id == .connect ? [.reply(.shutdown)] : nil }
        let results = try await ConformanceHarness.run(["abort.double", "session.quit-no-reply"], script: script)
        let reasons = Dictionary(uniqueKeysWithValues: results.map { ($0.id, $0.status.reason ?? $0.status.name) })
        #expect(results.allSatisfy { $0.status.name == "not-exercised" }, "\(reasons)")
        #expect(reasons["abort.double"]?.hasSuffix("before ABORT reached the milter") == true, "\(reasons)")
        #expect(reasons["session.quit-no-reply"]?.hasSuffix("before QUIT reached the milter") == true, "\(reasons)")
    }

    // MARK: End to end, against a milter that answers ACCEPT at end of headers (as OpenDKIM does)

    /// Answers the MTA's version (at most 6) with what it offers, continues every event, accepts at EOH.
    private static let acceptingAtEndOfHeaders: ScriptedMilter.Script = { command in
        switch command {
        case .optionNegotiation(let offer):
            let version = MilterVersion(rawValue: min(offer.version.rawValue, 6))
            return [.reply(Scripts.answer(version: version, actions: offer.actions, flags: []))]
        case .macro, .abort, .quit, .quitNewConnection: return []
        case .endOfHeaders: return [.reply(.accept)]
        default: return [.reply(.continue)]
        }
    }

    @Test func againstAnEarlyAcceptTheCasesAboutWhatCameBeforeItPassAndTheOthersAreNotExercised() async throws {
        let passing = ["version.v4-offer", "macro.stage-L", "event.header", "header.many", "connect.ipv6"]
        let kept = ["macro.stage-B", "body.over-64k", "abort.no-reply", "session.replies-within-timeouts"]
        let results = try await ConformanceHarness.run(passing + kept, script: Self.acceptingAtEndOfHeaders)
        let statuses = Dictionary(uniqueKeysWithValues: results.map { ($0.id, $0.status) })
        for id in passing { #expect(statuses[id] == .pass, "\(id): \(String(describing: statuses[id]))") }
        for id in kept {
            let reason = statuses[id]?.reason ?? ""
            #expect(statuses[id]?.name == "not-exercised", "\(id): \(String(describing: statuses[id]))")
            #expect(reason.hasPrefix("not exercised: the milter's accept at EOH ended"), "\(id): \(reason)")
        }
        // The reason names the command of the subject that did not go, not merely the first one cut short.
        #expect(statuses["abort.no-reply"]?.reason?.contains("before BODYEOB reached the milter") == true)
        #expect(statuses["macro.stage-B"]?.reason?.contains("before BODY reached the milter") == true)
        #expect(results.filter(\.failsRun).isEmpty)
    }
}
