/// A small cache of DNSBL results by query name, each kept until its TTL runs out. When full, the
/// expired entries go first, then the ones closest to expiry.
struct DNSBLCache {
    private struct Entry {
        let result: DNSBLResult
        let expires: ContinuousClock.Instant
    }

    let capacity: Int
    private var entries: [String: Entry] = [:]

    init(capacity: Int) { self.capacity = max(0, capacity) }

    var count: Int { entries.count }

    func result(for name: String, at now: ContinuousClock.Instant) -> DNSBLResult? {
        guard let entry = entries[name], entry.expires > now else { return nil }
        return entry.result
    }

    mutating func store(_ result: DNSBLResult, for name: String, ttl: Duration, at now: ContinuousClock.Instant) {
        guard capacity > 0, ttl > .zero else { return }
        if entries[name] == nil, entries.count >= capacity {
            entries = entries.filter { $0.value.expires > now }
            if entries.count >= capacity, let soonest = entries.min(by: { $0.value.expires < $1.value.expires }) {
                entries[soonest.key] = nil
            }
        }
        entries[name] = Entry(result: result, expires: now + ttl)
    }
}
