import MilterDNS

/// One ``DNSBLChecker`` per zone named in the rules, sharing one resolver, so that every rule on
/// a zone shares its cache. Each lookup waits as long as the resolver may take to try all its servers
/// (``DNSBLChecker/defaultTimeout(for:)``: from resolv.conf's timeout, attempts and servers).
struct DNSBLCheckers: Sendable {
    private let byZone: [String: DNSBLChecker]
    /// What the system's resolv.conf said that the operator should hear: servers past glibc's 3, which are not used.
    let warnings: [String]

    /// The checkers of `rules`' zones; without a `resolver`, they share the system's, from `resolvConf` (read only
    /// when a rule uses `dnsbl`).
    init(rules: [Rule], resolver: (any DNSQuerying)?, resolvConf: String = "/etc/resolv.conf") throws {
        var zones: Set<String> = []
        for rule in rules {
            for condition in rule.conditions { if case .dnsbl(let zone) = condition.field { zones.insert(zone) } }
        }
        guard !zones.isEmpty else {
            byZone = [:]
            warnings = []
            return
        }
        let shared: any DNSQuerying
        if let resolver {
            shared = resolver
            warnings = []
        } else {
            let conf = try ResolvConf.load(resolvConf)
            shared = DNSResolver(resolvConf: conf)
            warnings =
                conf.ignoredNameservers > 0
                ? [Self.ignoredNameservers(path: resolvConf, listed: conf.nameservers.count + conf.ignoredNameservers)]
                : []
        }
        byZone = Dictionary(uniqueKeysWithValues: zones.map { ($0, DNSBLChecker(zone: $0, resolver: shared)) })
    }

    subscript(zone: String) -> DNSBLChecker? { byZone[zone] }

    /// The warning for a resolv.conf with more servers than glibc uses.
    static func ignoredNameservers(path: String, listed: Int) -> String {
        "\(path) lists \(listed) nameservers; only the first \(ResolvConf.maximumNameservers) are used, as glibc does"
    }
}
