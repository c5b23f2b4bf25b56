extension ChildProcess {
    /// Sends SIGTERM, waits up to `grace`, then SIGKILL, all on a thread of its own (``offPool(_:)``), not on
    /// one of the cooperative pool's threads that every other test needs meanwhile.
    package func stop(grace: Duration) async {
        _ = try? await offPool { [self] in terminate(grace: grace) }
    }

    /// Runs `body`, then stops the child (``stop(grace:)``) whether `body` returned or threw: the async form of
    /// `defer { terminate(grace:) }`, which held a thread of the cooperative pool while the child drained.
    package func stopping<T>(grace: Duration, after body: () async throws -> T) async throws -> T {
        let value: T
        do {
            value = try await body()
        } catch {
            await stop(grace: grace)
            throw error
        }
        await stop(grace: grace)
        return value
    }
}
