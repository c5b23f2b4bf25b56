import _MilterSystem

/// How much memory the data of MTA connections may take, counted in what it costs in memory.
///
/// Each connection may hold ``perConnection`` bytes of envelope, macros, header fields, body and
/// commands queued behind the classifier; all connections together at most ``total(maximumConnections:)``.
/// A transaction whose envelope, macros or header fields would go over gets a tempfail; its body is
/// cut instead, as by `--truncate`, and the message is classified (a MACRO packet after the body takes
/// its room from the body). A queue of commands that would go over closes its connection. Other
/// connections are not affected.
public struct MemoryBudget: Hashable, Sendable {
    /// The default budget of one connection: 16 MiB.
    public static let defaultPerConnection = 16 << 20

    /// The most bytes one connection may hold.
    public var perConnection: Int
    /// The most bytes all connections may hold together; `nil` derives it (see ``total(maximumConnections:)``).
    public var total: Int?

    /// Creates a budget.
    public init(perConnection: Int = MemoryBudget.defaultPerConnection, total: Int? = nil) {
        self.perConnection = max(0, perConnection)
        self.total = total.map { max(0, $0) }
    }

    /// The total in force: ``total`` when set, else ``perConnection`` times `maximumConnections`,
    /// at most a quarter of the physical memory (and never less than one connection's budget).
    public func total(maximumConnections: Int) -> Int {
        if let total { return total }
        let (product, overflow) = perConnection.multipliedReportingOverflow(by: max(1, maximumConnections))
        return max(perConnection, min(overflow ? .max : product, Self.physicalMemory / 4))
    }

    /// The machine's physical memory in bytes (`Int.max` when unknown).
    public static var physicalMemory: Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES))
        let size = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, size > 0 else { return .max }
        let (bytes, overflow) = pages.multipliedReportingOverflow(by: size)
        return overflow ? .max : bytes
    }
}
