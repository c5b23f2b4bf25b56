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
    /// The longest default ``timeout``: the time a `DNSResolver` may take to try all its servers
    /// (its timeout × attempts × servers) is cut to this.
    public static let maximumDefaultTimeout = Duration.seconds(30)
    /// The shortest default ``timeout``.
    public static let minimumDefaultTimeout = Duration.seconds(1)
    /// The default ``timeout`` with a resolver that does not say how long its queries take
    /// (`DNSQuerying.queryTimeBudget` is `nil`).
    public static let fallbackTimeout = Duration.seconds(3)
    /// The longest time a result is cached, whatever its TTL.
    public let maximumTTL: Duration
    private let resolver: any DNSQuerying
    private let now: @Sendable () -> ContinuousClock.Instant
    private let cache: NIOLockedValueBox<DNSBLCache>
    /// The queries under way, by name.
    private let inFlight = NIOLockedValueBox<[String: DNSBLOutcome]>([:])
    private let metricsFactory: (any MetricsFactory)?

    /// Creates a checker. `isZEN` defaults to whether the zone is a Spamhaus ZEN zone (a name
    /// ending in `zen.spamhaus.org`, or `zen.dq.spamhaus.net` for Data Query Service keys).
    /// `metricsFactory` receives the lookup counts; `nil` (the default) means swift-metrics' global one.
    ///
    /// Without a `timeout`, a lookup waits as long as the resolver may take to try all its servers
    /// (`resolver.queryTimeBudget`: a `DNSResolver`'s timeout × attempts × servers), from
    /// ``minimumDefaultTimeout`` to ``maximumDefaultTimeout``; ``fallbackTimeout`` for a resolver that
    /// does not say. A `DNSResolver.system()` whose resolv.conf has `options timeout:5` and two
    /// servers gets 10 s, so that the second server is asked when the first is silent.
    public init(
        zone: String, resolver: any DNSQuerying, timeout: Duration? = nil, cacheSize: Int = 1024,
        maximumTTL: Duration = .seconds(3600), isZEN: Bool? = nil,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.metricsFactory = metricsFactory
        var lowered = zone.lowercased()
        if lowered.hasSuffix(".") { lowered.removeLast() }
        self.zone = zone
        self.isZEN = isZEN ?? (lowered.hasSuffix("zen.spamhaus.org") || lowered.hasSuffix("zen.dq.spamhaus.net"))
        self.resolver = resolver
        self.timeout = timeout ?? Self.defaultTimeout(for: resolver)
        self.maximumTTL = maximumTTL
        self.now = now
        cache = NIOLockedValueBox(DNSBLCache(capacity: cacheSize))
    }

    /// The ``timeout`` when none is given: `resolver`'s `queryTimeBudget`, from ``minimumDefaultTimeout``
    /// to ``maximumDefaultTimeout``, or else ``fallbackTimeout``.
    public static func defaultTimeout(for resolver: any DNSQuerying) -> Duration {
        guard let budget = resolver.queryTimeBudget else { return fallbackTimeout }
        return min(max(budget, minimumDefaultTimeout), maximumDefaultTimeout)
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
        // Lookups of a name already being asked wait for that query's outcome instead of sending another.
        let shared = inFlight.withLockedValue { queries in
            if let query = queries[name] { return query }
            let query = ask(name)
            queries[name] = query
            return query
        }
        let mine = DNSBLOutcome()
        shared.onFinish { mine.finish($0) }
        let result = await withTaskCancellationHandler {
            await mine.value().result
        } onCancel: {
            mine.finish((.failed(DNSBLFailure(.timeout)), 0))
        }
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

    /// Starts asking `name`: the outcome is the resolver's answer, or a timeout failure once `timeout`
    /// has passed, whichever comes first. It is cached (for its TTL, at most ``maximumTTL``) and the
    /// query leaves the in-flight ones before any waiter hears of it. On the timeout, the resolver is
    /// cancelled but not waited for, so one that does not heed cancellation cannot hold a lookup.
    private func ask(_ name: String) -> DNSBLOutcome {
        let resolver = resolver
        let isZEN = isZEN
        let outcome = DNSBLOutcome()
        let (cache, inFlight, now, maximumTTL) = (cache, inFlight, now, maximumTTL)
        outcome.onFinish { result, ttl in
            let keep = min(Duration.seconds(Int64(ttl)), maximumTTL)
            cache.withLockedValue { $0.store(result, for: name, ttl: keep, at: now()) }
            inFlight.withLockedValue { $0[name] = nil }
        }
        let query = Task {
            do throws(DNSError) {
                outcome.finish(DNSBLAnswer.decode(try await resolver.query(name, type: .a), isZEN: isZEN))
            } catch {
                let kind: DNSBLFailure.Kind = error.kind == .timeout ? .timeout : .resolver
                outcome.finish((.failed(DNSBLFailure(kind, detail: "\(error.kind)")), 0))
            }
        }
        let timer = Task { [timeout] in
            try? await Task.sleep(for: timeout)
            outcome.finish((.failed(DNSBLFailure(.timeout)), 0))
            query.cancel()
        }
        outcome.onFinish { _ in timer.cancel() }
        return outcome
    }
}
