import NIOCore

/// The event each connection still open gets when the drain timeout of a graceful shutdown expires: one whose
/// MTA waits for a reply the classifier has not given yet (at end of message, or an early check) sends the
/// failure verdict first, as for a classifier that failed, and closes once the verdict is written; any other
/// closes at once.
struct DrainDeadline: Sendable {
    /// How long a connection waits for its verdict to be written before it closes anyway: an MTA that does
    /// not read (its socket buffer full) cannot hold the shutdown longer than this.
    static let defaultWriteTimeout: TimeAmount = .seconds(2)

    /// How long the verdict's write may take.
    var writeTimeout: TimeAmount = Self.defaultWriteTimeout
}
