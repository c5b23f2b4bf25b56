import _MilterSystem

#if canImport(Glibc)
import Glibc
#endif

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
                descriptors: [(0, source(streams.input)), (1, source(streams.output)), (2, source(streams.errors))])
        } catch {
            throw HarnessError("cannot start \(executable): \(error)")
        }
    }

    /// `FileHandle.nullDevice` has no descriptor (-1) on Linux; the child gets `/dev/null` for it.
    private static func source(_ descriptor: Int32) -> ChildSpawn.Source {
        descriptor >= 0 ? .descriptor(descriptor) : .file("/dev/null", flags: O_RDWR, mode: 0)
    }
}
