import CoreMetrics

/// The server's swift-metrics handles, made once per server.
///
/// Without a bootstrapped metrics backend they cost nothing (swift-metrics' no-op handlers). The
/// daemon's `--metrics ADDR` bootstraps a Prometheus registry before the server is made. The names
/// follow Prometheus conventions and are listed in `docs/reference-milter.md`.
struct ServerMetrics: Sendable {
    /// `milter_connections_open`: MTA connections open now.
    let connectionsOpen = Meter(label: "milter_connections_open")
    /// `milter_connections_total`: MTA connections accepted.
    let connectionsTotal = Counter(label: "milter_connections_total")
    /// `milter_connections_evicted_total`: connections that had not sent OPTNEG, closed to admit a
    /// new one when every slot was taken.
    let connectionsEvicted = Counter(label: "milter_connections_evicted_total")
    /// `milter_bytes_received_total` and `milter_bytes_sent_total`: milter protocol bytes.
    let bytesReceived = Counter(label: "milter_bytes_received_total")
    let bytesSent = Counter(label: "milter_bytes_sent_total")
    /// `milter_classifier_duration_seconds`: how long each classifier call (early checks included) took.
    let classifierDuration = Timer(
        label: "milter_classifier_duration_seconds", preferredDisplayUnit: .seconds)
    private let messages: [String: Counter]

    init() {
        var messages: [String: Counter] = [:]
        for verdict in Self.verdictLabels {
            messages[verdict] = Counter(label: "milter_messages_total", dimensions: [("verdict", verdict)])
        }
        self.messages = messages
    }

    /// The `verdict` label values of `milter_messages_total`.
    static let verdictLabels = ["accept", "reject", "tempfail", "discard", "quarantine"]

    /// Counts one classified message in `milter_messages_total{verdict}`.
    func message(_ verdict: Verdict) {
        messages[verdict.name.lowercased()]?.increment()
    }

    /// Records one classifier call that started at `start` in `milter_classifier_duration_seconds`.
    func classified(since start: ContinuousClock.Instant) {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        classifierDuration.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// Counts a connection closed for a protocol error or a timeout in
    /// `milter_protocol_errors_total{kind}`; `kind` is a code such as `frameTooLarge` or `idle-timeout`,
    /// never payload data.
    func protocolError(_ kind: String) {
        Counter(label: "milter_protocol_errors_total", dimensions: [("kind", kind)]).increment()
    }
}
