import Foundation

/// Runs blocking work on a thread of its own, so that a test waiting on a child process or a peer never
/// holds one of the cooperative pool's threads (only two on a two-core machine) that every other test,
/// and an in-process Swift milter, needs.
package func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
