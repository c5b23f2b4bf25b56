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
}
