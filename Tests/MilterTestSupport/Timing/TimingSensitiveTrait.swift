import Testing

/// A test whose verdict depends on timings of a few hundred milliseconds to a few seconds: it starts
/// only once the machine has settled (``MachineLoad/settle(timeout:)``), so that it checks the code's
/// timing rather than the scheduler's backlog, and at most two such tests run at a time. The deadlines
/// inside the test stay as they are.
package struct TimingSensitiveTrait: TestTrait, SuiteTrait, TestScoping {
    package var isRecursive: Bool { true }

    package func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        testCase == nil ? nil : self
    }

    package func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await TimingSlots.shared.withSlot {
            await MachineLoad.settle()
            try await function()
        }
    }
}

extension Trait where Self == TimingSensitiveTrait {
    /// Starts each test case only once the machine has settled.
    package static var timingSensitive: Self { TimingSensitiveTrait() }
}
