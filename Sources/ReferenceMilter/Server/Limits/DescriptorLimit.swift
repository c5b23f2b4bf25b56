import _MilterSystem

/// The process's file descriptor limit, and the connection limit derived from it.
public enum DescriptorLimit {
    /// Descriptors kept for everything but MTA connections: the listener, logs, DNS, the rules file.
    public static let reserved = 64
    /// The most connections the derived limit allows, whatever the descriptor limit.
    public static let connectionCeiling = 10_000

    /// Raises the soft `RLIMIT_NOFILE` to the hard limit (on macOS at most `OPEN_MAX`); returns the soft limit now in force.
    @discardableResult
    public static func raiseSoftToHard() -> Int {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return current }
        var wanted = limit.rlim_max
        #if canImport(Darwin)
        wanted = min(wanted, rlim_t(OPEN_MAX))
        #endif
        if wanted > limit.rlim_cur {
            var raised = limit
            raised.rlim_cur = wanted
            _ = setrlimit(resource, &raised)
        }
        return current
    }

    /// The soft descriptor limit in force.
    public static var current: Int {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 1_024 }
        return limit.rlim_cur >= rlim_t(Int.max) ? .max : Int(limit.rlim_cur)
    }

    /// The connection limit for a descriptor limit: all but ``reserved`` descriptors, at most
    /// ``connectionCeiling``, at least 16.
    public static func connectionLimit(descriptors: Int = current) -> Int {
        min(connectionCeiling, max(16, descriptors - reserved))
    }

    #if canImport(Darwin)
    private static let resource = RLIMIT_NOFILE
    #else
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #endif
}
