import Testing

@testable import ReferenceMilter

/// The semaphore in front of the classifier: every waiter is resumed exactly once, a cancelled
/// waiter takes no slot, and slots are never lost or made up.
@Suite struct ClassificationGateTests {
    @Test func aCancelledWaiterLeavesTheQueueAndTakesNoSlot() async throws {
        let gate = ClassificationGate(limit: 1)
        try await gate.acquire()
        #expect(gate.available == 0)
        let waiter = Task { try await gate.acquire() }
        while gate.queued == 0 { await Task.yield() }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(gate.queued == 0)
        let next = Task { try await gate.acquire() }
        while gate.queued == 0 { await Task.yield() }
        gate.release()
        try await next.value
        #expect(gate.available == 0)
        gate.release()
        #expect(gate.available == 1)
    }

    @Test func aTaskCancelledBeforeItWaitsThrowsAndTakesNoSlot() async {
        let gate = ClassificationGate(limit: 2)
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await gate.acquire()
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(gate.available == 2)
        #expect(gate.queued == 0)
    }

    /// Cancels land at every point of `acquire()`, before, during and after the waiter is queued, and
    /// while slots are handed on: each task either gets a slot (and gives it back) or throws, once.
    @Test func cancelsAtAnyMomentNeitherLoseNorMakeUpSlots() async {
        let gate = ClassificationGate(limit: 2)
        for round in 0..<50 {
            await withTaskGroup(of: Void.self) { group in
                var tasks: [Task<Void, Never>] = []
                for index in 0..<40 {
                    let task = Task {
                        do {
                            try await gate.acquire()
                            for _ in 0..<(index % 3) { await Task.yield() }
                            gate.release()
                        } catch {
                            #expect(error is CancellationError)
                        }
                    }
                    tasks.append(task)
                }
                for (index, task) in tasks.enumerated() where (index + round) % 3 != 0 {
                    group.addTask {
                        for _ in 0..<(index % 4) { await Task.yield() }
                        task.cancel()
                    }
                }
                await group.waitForAll()
                for task in tasks { await task.value }
            }
            #expect(gate.available == 2)
            #expect(gate.queued == 0)
        }
    }
}
