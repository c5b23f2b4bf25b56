import CoreMetrics

/// The server's swift-metrics handles, made once per server.
///
/// Without a bootstrapped metrics backend they cost nothing (swift-metrics' no-op handlers). The
/// daemon's `--metrics ADDR` bootstraps a Prometheus registry before the server is made. The names
/// follow Prometheus conventions and are listed in `docs/deploying.md`.
///
/// A class: every connection's handlers hold the server's, and a struct of a dozen handles cost a dozen retains
/// and releases each time one was copied.
final class ServerMetrics: Sendable {
    /// `milter_connections_open`: MTA connections open now.
    let connectionsOpen: Meter
    /// `milter_connections_total`: MTA connections accepted.
    let connectionsTotal: Counter
    /// `milter_connections_evicted_total`: connections that had not sent OPTNEG, closed to admit a
    /// new one when every slot was taken.
    let connectionsEvicted: Counter
    /// `milter_bytes_received_total` and `milter_bytes_sent_total`: milter protocol bytes.
    let bytesReceived: Counter
    let bytesSent: Counter
    /// `milter_classifier_duration_seconds`: how long each classifier call (early checks included) took.
    let classifierDuration: Timer
    /// `milter_memory_budget_tempfails_total`: messages that got a tempfail because their transaction went
    /// over the memory budget (counted in `milter_messages_total{verdict="tempfail"}` too).
    let memoryBudgetTempfails: Counter
    /// `milter_messages_total{verdict}`, in the order of ``verdictLabels``.
    private let messages: [Counter]
    private let factory: any MetricsFactory

    /// Makes the handles with `factory` (tests pass their own; the default is the bootstrapped one).
    init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        connectionsOpen = Meter(label: "milter_connections_open", factory: factory)
        connectionsTotal = Counter(label: "milter_connections_total", factory: factory)
        connectionsEvicted = Counter(label: "milter_connections_evicted_total", factory: factory)
        bytesReceived = Counter(label: "milter_bytes_received_total", factory: factory)
        bytesSent = Counter(label: "milter_bytes_sent_total", factory: factory)
        classifierDuration = Timer(
            label: "milter_classifier_duration_seconds", preferredDisplayUnit: .seconds, factory: factory)
        memoryBudgetTempfails = Counter(label: "milter_memory_budget_tempfails_total", factory: factory)
        messages = Self.verdictLabels.map {
            Counter(label: "milter_messages_total", dimensions: [("verdict", $0)], factory: factory)
        }
    }

    /// The `verdict` label values of `milter_messages_total`.
    static let verdictLabels = ["accept", "reject", "tempfail", "discard", "quarantine"]

    /// Counts one classified message in `milter_messages_total{verdict}`.
    func message(_ verdict: Verdict) {
        messages[Self.verdictIndex(verdict)].increment()
    }

    /// The place of `verdict`'s label in ``verdictLabels``: no string made or hashed per message.
    private static func verdictIndex(_ verdict: Verdict) -> Int {
        switch verdict {
        case .accept: 0
        case .reject: 1
        case .tempfail: 2
        case .discard: 3
        case .quarantine: 4
        }
    }

    /// Counts a message answered with a tempfail because its transaction went over the memory budget, without
    /// classification: in `milter_messages_total{verdict="tempfail"}`, as every message answered, and in
    /// `milter_memory_budget_tempfails_total`.
    func memoryBudgetTempfail() {
        message(.tempfail(nil))
        memoryBudgetTempfails.increment()
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
        Counter(label: "milter_protocol_errors_total", dimensions: [("kind", kind)], factory: factory).increment()
    }
}
