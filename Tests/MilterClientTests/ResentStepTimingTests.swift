import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

@testable import MilterClient

/// A transaction sent again from its record shares the record's steps and keeps its own timings
/// apart (`TransactionResult.setStepDurations`): its steps still read as this transaction's.
@Suite struct ResentStepTimingTests {
    static func result() -> TransactionResult {
        TransactionResult(
            steps: [
                StepRecord(command: .mail, delivery: .sentWithoutReply, duration: .milliseconds(1)),
                StepRecord(command: .endOfMessage, delivery: .awaited, replies: [.accept], duration: .milliseconds(2)),
            ], verdict: .accept)
    }

    @Test func setDurationsAreReadInTheSteps() {
        var result = Self.result()
        result.setStepDurations([(index: 1, duration: .milliseconds(30))])
        #expect(result.steps.map(\.duration) == [.milliseconds(1), .milliseconds(30)])
        result.setStepDurations([(index: 0, duration: .milliseconds(40))])
        #expect(result.steps.map(\.duration) == [.milliseconds(40), .milliseconds(30)])
    }

    @Test func theSharedStepsAreNotChanged() {
        let recorded = Self.result()
        var resent = recorded
        resent.setStepDurations([(index: 1, duration: .milliseconds(30))])
        #expect(recorded.steps[1].duration == .milliseconds(2))
        #expect(resent.steps[1].duration == .milliseconds(30))
    }

    @Test func aChangeInPlaceKeepsTheDurations() {
        var result = Self.result()
        result.setStepDurations([(index: 1, duration: .milliseconds(30))])
        result.steps[0].smtpReply = "250 2.1.0 Ok"
        result.steps.append(StepRecord(command: .abort, delivery: .sentWithoutReply))
        #expect(result.steps.map(\.duration) == [.milliseconds(1), .milliseconds(30), .zero])
        #expect(result.steps[0].smtpReply == "250 2.1.0 Ok")
        // Replaced whole, the steps are the new ones, with no durations left over.
        result.steps = [StepRecord(command: .mail, delivery: .notSent)]
        #expect(result.steps.map(\.duration) == [.zero])
    }

    /// Through a real socket: the milter answers the end of every message after the first connection's
    /// 150 ms late, and the messages sent from the record report that wait, not the recorded one.
    @Test(.timingSensitive) func aResentTransactionReportsItsOwnWait() async throws {
        let endsOfMessage = ScriptCounter()
        let milter = try await ScriptedMilter(
            script: Scripts.wellBehaved { command in
                guard command.id == .endOfMessage, endsOfMessage.increment() > 2 else { return nil }
                return [.pause(.milliseconds(150)), .reply(.accept)]
            })
        var configuration = Fixtures.configuration()
        configuration.buildsResultingMessage = false
        let store = ExchangeMemoStore()
        configuration.exchangeMemos = store
        let port = milter.port
        let durations = try await Driver.onThread { [configuration] in
            var durations: [Duration] = []
            for _ in 0..<2 {
                let connection = try BlockingMilterConnection.openAndGreet(
                    to: .inet(host: "127.0.0.1", port: port), configuration: configuration)
                for _ in 0..<2 {
                    let result = connection.send(Fixtures.message)
                    let step = try #require(result.steps.last { $0.command == .endOfMessage })
                    durations.append(step.duration)
                }
                connection.quit { _ in }
            }
            return durations
        }
        await milter.stop()
        #expect(store.outcomes.reused == 2)
        // A lower bound only (the pause guarantees it): the recorded wait was the first connection's.
        #expect(durations[2] >= .milliseconds(150) && durations[3] >= .milliseconds(150), "\(durations)")
    }
}
