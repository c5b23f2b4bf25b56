import CoreMetrics
import MailMessage
import MilterDNS
import NIOConcurrencyHelpers

/// Looks addresses up in one DNSBL zone, with a timeout per query and a small TTL cache.
///
/// ```swift
/// let zen = DNSBLChecker(zone: "zen.spamhaus.org", resolver: try DNSResolver.system())
/// if case .listed(let codes) = await zen.lookup(address), codes.contains(where: { $0.zen == .sbl }) {
///     return mail.reject("SBL")
/// }
/// ```
///
/// Loopback, private, link-local and reserved addresses are never asked (``DNSBLResult/skipped``).
/// Codes in `127.255.255.x` are errors, not listings (``DNSBLResult/failed(_:)``), and so are
/// resolver errors: a timeout, SERVFAIL, or a DNS server whose port is closed.
///
/// ## Imports
///
/// `ReferenceMilter` re-exports none of the modules whose types this API takes. Beside
/// `import ReferenceMilter`:
/// - `import MilterDNS` for the resolver: ``init(zone:resolver:timeout:cacheSize:maximumTTL:isZEN:now:metricsFactory:)``
///   takes a `DNSQuerying`, such as a `DNSResolver`; add the `MilterDNS` product to the target's
///   dependencies. A resolver built from `SocketAddress`es needs `import NIOCore` too.
/// - `import MailMessage` to make the `IPAddress` that ``lookup(_:)`` takes (`IPAddress(parsing:)`);
///   ``MailInfo/dnsblLookups(_:trustedDomains:includeClient:)`` needs no import.
/// - `import CoreMetrics` (swift-metrics) only to pass a `metricsFactory`.
public final class DNSBLChecker: Sendable {
    /// The zone, such as `zen.spamhaus.org`.
    public let zone: String
    /// Whether return codes are decoded as Spamhaus ZEN's.
    public let isZEN: Bool
    /// The longest time a lookup waits, whatever the resolver does.
    public let timeout: Duration
    /// The longest time a result is cached, whatever its TTL.
    public let maximumTTL: Duration
    private let resolver: any DNSQuerying
    private let now: @Sendable () -> ContinuousClock.Instant
    private let cache: NIOLockedValueBox<DNSBLCache>
    private let metricsFactory: (any MetricsFactory)?

    /// Creates a checker. `isZEN` defaults to whether the zone is a Spamhaus ZEN zone (a name
    /// ending in `zen.spamhaus.org`, or `zen.dq.spamhaus.net` for Data Query Service keys).
    /// `metricsFactory` receives the lookup counts; `nil` (the default) means swift-metrics' global one.
    public init(
        zone: String, resolver: any DNSQuerying, timeout: Duration = .seconds(3), cacheSize: Int = 1024,
        maximumTTL: Duration = .seconds(3600), isZEN: Bool? = nil,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.metricsFactory = metricsFactory
        let lowered = zone.lowercased()
        self.zone = zone
        self.isZEN = isZEN ?? (lowered.hasSuffix("zen.spamhaus.org") || lowered.hasSuffix("zen.dq.spamhaus.net"))
        self.resolver = resolver
        self.timeout = timeout
        self.maximumTTL = maximumTTL
        self.now = now
        cache = NIOLockedValueBox(DNSBLCache(capacity: cacheSize))
    }

    /// `zone` as it may be shown in metrics, logs and errors: a Spamhaus Data Query Service zone
    /// carries the account's key as its first label (`KEY.zen.dq.spamhaus.net`), and the key is a
    /// secret, so it reads `<key>.zen.dq.spamhaus.net`. Other zones are shown as they are.
    public static func displayName(_ zone: String) -> String {
        var lowered = zone.lowercased()
        if lowered.hasSuffix(".") { lowered.removeLast() }
        guard lowered.hasSuffix(".dq.spamhaus.net") || lowered.hasSuffix(".dq.spamhaus.com"),
            let dot = zone.firstIndex(of: "."),
            !["dq.spamhaus.net", "dq.spamhaus.com"].contains(zone[zone.index(after: dot)...].lowercased())
        else { return zone }
        return "<key>" + zone[dot...]
    }

    /// The number of cached results.
    public var cachedCount: Int { cache.withLockedValue { $0.count } }

    /// Looks `address` up, from the cache when a live result is there. `address` is a `MailMessage`
    /// type (`import MailMessage`).
    ///
    /// Each lookup is counted in `milter_dnsbl_queries_total{zone, result}` (the zone as
    /// ``displayName(_:)`` shows it; `result` is `listed`, `not-listed`,
    /// `failed`, `skipped` or `cached`) when a swift-metrics backend is bootstrapped.
    public func lookup(_ address: IPAddress) async -> DNSBLResult {
        guard address.isDNSBLQueryable else {
            count("skipped")
            return .skipped
        }
        let name = DNSBLQueryName.name(for: address, zone: zone)
        if let cached = cache.withLockedValue({ $0.result(for: name, at: now()) }) {
            count("cached")
            return cached
        }
        let (result, ttl) = await ask(name)
        let keep = min(Duration.seconds(Int64(ttl)), maximumTTL)
        cache.withLockedValue { $0.store(result, for: name, ttl: keep, at: now()) }
        switch result {
        case .listed: count("listed")
        case .notListed: count("not-listed")
        case .failed: count("failed")
        case .skipped: count("skipped")
        }
        return result
    }

    private func count(_ result: String) {
        Counter(
            label: "milter_dnsbl_queries_total", dimensions: [("zone", Self.displayName(zone)), ("result", result)],
            factory: metricsFactory ?? MetricsSystem.factory
        ).increment()
    }

    private func ask(_ name: String) async -> (DNSBLResult, UInt32) {
        let resolver = resolver
        let isZEN = isZEN
        let timeout = timeout
        return await withTaskGroup(of: (DNSBLResult, UInt32)?.self) { group in
            group.addTask {
                do throws(DNSError) {
                    return DNSBLAnswer.decode(try await resolver.query(name, type: .a), isZEN: isZEN)
                } catch {
                    let kind: DNSBLFailure.Kind = error.kind == .timeout ? .timeout : .resolver
                    return (.failed(DNSBLFailure(kind, detail: "\(error.kind)")), 0)
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return Task.isCancelled ? nil : (.failed(DNSBLFailure(.timeout)), 0)
            }
            defer { group.cancelAll() }
            while let next = await group.next() {
                if let next { return next }
            }
            return (.failed(DNSBLFailure(.timeout)), 0)
        }
    }
}
