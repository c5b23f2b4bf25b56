import _MilterSystem

/// The process's file descriptor limit, and the connection limit derived from it.
public enum DescriptorLimit {
    /// Descriptors kept for everything but MTA connections: the listener, logs, DNS, the rules file.
    public static let reserved = 64
    /// The most connections the derived limit allows, whatever the descriptor limit.
    public static let connectionCeiling = 10_000

    /// Raises the soft `RLIMIT_NOFILE` to the hard limit (on macOS at most `OPEN_MAX`); returns the soft limit now in force.
    @discardableResult
    public static func raiseSoftToHard() -> Int { DescriptorHeadroom.raiseSoftToHard() }

    /// The soft descriptor limit in force.
    public static var current: Int { DescriptorHeadroom.softLimit }

    /// Why `eventLoops` event loops cannot start now for want of file descriptors (SwiftNIO would end the process),
    /// in words for an operator; `nil` when they can.
    public static func eventLoopShortfall(_ eventLoops: Int) -> String? {
        DescriptorHeadroom.eventLoopShortfall(eventLoops)
    }

    /// The connection limit for a descriptor limit: all but ``reserved`` descriptors, at most
    /// ``connectionCeiling``, at least 16.
    public static func connectionLimit(descriptors: Int = current) -> Int {
        min(connectionCeiling, max(16, descriptors - reserved))
    }
}
