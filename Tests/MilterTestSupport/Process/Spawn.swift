import _MilterSystem

/// Starts a child with `posix_spawn` (``ChildSpawn``): its standard streams on three given
/// descriptors, every other descriptor of the test process closed, every signal at its default
/// disposition and none blocked (the test process's runtime blocks and ignores some, and a child
/// inherits both).
package enum Spawn {
    /// Starts `executable` (an absolute path) and returns its process id.
    package static func start(
        _ executable: String, _ arguments: [String], environment: [String: String]?,
        streams: (input: Int32, output: Int32, errors: Int32)
    ) throws -> Int32 {
        do {
            return try ChildSpawn.start(
                executable, arguments: [executable] + arguments,
                environment: environment.map { $0.map { "\($0.key)=\($0.value)" } },
                descriptors: [
                    (0, .descriptor(streams.input)), (1, .descriptor(streams.output)),
                    (2, .descriptor(streams.errors)),
                ])
        } catch {
            throw HarnessError("cannot start \(executable): \(error)")
        }
    }
}
