import Testing

/// A test whose verdict depends on timings of a few hundred milliseconds to a few seconds: it starts
/// only once the machine has settled (``MachineLoad/settle(timeout:)``), so that it checks the code's
/// timing rather than the scheduler's backlog, and at most two such tests run at a time, the cases of
/// a parameterized one one after another. The deadlines inside the test stay as they are.
///
/// The wait is the test function's scope, not each case's: Swift Testing runs a case's scope inside
/// the case's time limit and the function's outside it (`Runner._runStep` and `_runTestCase` in
/// swift-testing), so the time spent queued for a slot and settling does not count against a
/// `.timeLimit`. Scoped per case, a suite with a 10-minute limit queued behind dozens of
/// timing-sensitive cases ran out of it before its own case started. A case waits, inside its time
/// limit, only for the cases of its own function.
package struct TimingSensitiveTrait: TestTrait, SuiteTrait, TestScoping {
    /// The turns of the cases of the test function running in this task, one at a time.
    @TaskLocal private static var caseTurns: TimingSlots?

    package init() {}

    package var isRecursive: Bool { true }

    package func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        test.isSuite ? nil : self
    }

    package func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        guard testCase == nil else {
            try await (Self.caseTurns ?? TimingSlots(width: 1)).withSlot(function)
            return
        }
        try await TimingSlots.shared.withSlot {
            await MachineLoad.settle()
            try await Self.$caseTurns.withValue(TimingSlots(width: 1), operation: function)
        }
    }
}

extension Trait where Self == TimingSensitiveTrait {
    /// Starts each test function only once the machine has settled.
    package static var timingSensitive: Self { TimingSensitiveTrait() }
}
