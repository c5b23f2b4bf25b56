import NIOConcurrencyHelpers

/// The memory the server's connections hold together, against the total budget.
///
/// Every ``ConnectionMemory`` charges here as well as against its own budget, so that many
/// connections each under their own budget cannot together take more than the total.
final class MemoryLedger: Sendable {
    private let used = NIOLockedValueBox(0)

    /// The most bytes all connections may hold at once.
    let limit: Int

    init(limit: Int) { self.limit = max(0, limit) }

    /// The bytes held now.
    var total: Int { used.withLockedValue { $0 } }

    /// Takes `bytes` if they fit under the total; returns whether they were taken.
    func reserve(_ bytes: Int) -> Bool {
        used.withLockedValue { used in
            guard bytes <= limit - used else { return false }
            used += bytes
            return true
        }
    }

    /// Gives back bytes taken by ``reserve(_:)``.
    func release(_ bytes: Int) { used.withLockedValue { $0 = max(0, $0 - bytes) } }
}

/// The memory one connection holds: counted in what the data costs in memory, not in wire bytes.
///
/// Used on the connection's event loop only. Everything charged is given back when the transaction
/// or the connection ends (``release(_:)``, ``releaseAll()``).
final class ConnectionMemory {
    private let ledger: MemoryLedger
    /// The most bytes this connection may hold.
    let limit: Int
    #if DEBUG
    /// The bytes held now.
    private(set) var used = 0
    #else
    // Without the runtime's exclusivity check in release builds (every command that keeps data charges
    // it): used on one event loop only; debug builds, which the tests run, keep it.
    @exclusivity(unchecked) private(set) var used = 0
    #endif

    init(limit: Int, ledger: MemoryLedger) {
        self.limit = max(0, limit)
        self.ledger = ledger
    }

    /// The bytes that could still be charged under this connection's own budget.
    var room: Int { max(0, limit - used) }

    /// Charges `bytes` if they fit under this connection's budget and the total; returns whether they did.
    func charge(_ bytes: Int) -> Bool {
        guard bytes <= room, ledger.reserve(bytes) else { return false }
        used += bytes
        return true
    }

    /// Gives back `bytes` (at most what is held). After a large release the allocator is asked to
    /// return free memory to the system, so that a hostile transaction does not leave RSS behind.
    func release(_ bytes: Int) {
        let given = min(max(0, bytes), used)
        // Nothing to give: the ledger's lock is not taken (a MACRO packet releases its stage's charge, most often none).
        guard given > 0 else { return }
        used -= given
        ledger.release(given)
        if given >= Self.trimThreshold { Self.returnFreeMemory() }
    }

    /// Releases from this size up return free memory to the system: 8 MiB.
    static let trimThreshold = 8 << 20

    private static func returnFreeMemory() { AllocatorTrim.returnFreeMemory() }

    /// Gives back everything (the connection closed).
    func releaseAll() { release(used) }
}
