import MilterDNS

/// One ``DNSBLChecker`` per zone named in the rules, sharing one resolver, so that every rule on
/// a zone shares its cache.
struct DNSBLCheckers: Sendable {
    private let byZone: [String: DNSBLChecker]

    init(rules: [Rule], resolver: (any DNSQuerying)?) throws {
        var zones: Set<String> = []
        for rule in rules {
            for condition in rule.conditions { if case .dnsbl(let zone) = condition.field { zones.insert(zone) } }
        }
        guard !zones.isEmpty else {
            byZone = [:]
            return
        }
        let resolver = try resolver ?? DNSResolver.system()
        byZone = Dictionary(uniqueKeysWithValues: zones.map { ($0, DNSBLChecker(zone: $0, resolver: resolver)) })
    }

    subscript(zone: String) -> DNSBLChecker? { byZone[zone] }
}
