/// Something that answers DNS questions: ``DNSResolver``, or a stand-in in tests.
public protocol DNSQuerying: Sendable {
    /// Asks one question and returns the matching response, whatever its response code.
    func query(_ name: String, type: DNSRecordType) async throws(DNSError) -> DNSResponse

    /// How long a query may take by the resolver's own configuration, so that a caller's bound on a
    /// query can leave it time to try all its servers: for ``DNSResolver``, its timeout × attempts ×
    /// servers. `nil` (the default) when the resolver does not say.
    var queryTimeBudget: Duration? { get }
}

extension DNSQuerying {
    /// `nil`: a resolver that does not say how long its queries take.
    public var queryTimeBudget: Duration? { nil }
}
