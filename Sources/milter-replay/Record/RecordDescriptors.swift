import MilterReplayKit
import NIOCore
import _MilterSystem

/// How many connections `record` can proxy at once with the descriptors it has: each takes two, the MTA's and
/// the milter's. Past the limit, accepting and connecting failed with "too many open files" (connections left
/// unanswered in the listen queue, others closed) long before `--max-connections` was reached.
enum RecordDescriptors {
    /// The default `--max-connections`.
    static let defaultConnections = 1000
    /// Descriptors kept for everything but connections: standard streams, the listener, the capture file, the
    /// runtime, and SwiftNIO's event loops (one a core, ``DescriptorHeadroom/perEventLoop`` each).
    static var reserved: Int { 64 + DescriptorHeadroom.perEventLoop * System.coreCount }

    /// The connection limit for `asked` (`--max-connections`, `nil` when not given) under the soft descriptor limit
    /// `descriptors`: `asked` when they hold it, else a usage error; not given, the default, or as many as the
    /// descriptors hold, said on standard error.
    static func connections(asked: Int?, descriptors: Int) throws(EarlyExit) -> Int {
        let fitting = (descriptors - reserved) / 2
        if let asked {
            guard asked > fitting else { return asked }
            throw EarlyExit.usage(
                "--max-connections \(asked) needs \(2 * asked + reserved) file descriptors (two a connection and "
                    + "\(reserved) more), and the limit is \(descriptors): raise it (ulimit -n, or LimitNOFILE= in a "
                    + "systemd unit) or give at most \(max(fitting, 0))")
        }
        guard fitting < defaultConnections else { return defaultConnections }
        guard fitting >= 1 else {
            throw EarlyExit.usage(
                "too few file descriptors to proxy a connection: the limit is \(descriptors) and \(reserved + 2) "
                    + "are needed; raise it (ulimit -n, or LimitNOFILE= in a systemd unit)")
        }
        FileDescriptorWriter.standardError(
            "milter-replay record: the file descriptor limit (\(descriptors)) holds \(fitting) connections at once "
                + "(two descriptors each), not \(defaultConnections): more are refused\n")
        return fitting
    }
}
