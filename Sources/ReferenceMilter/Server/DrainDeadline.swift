/// The event each connection still open gets when the drain timeout of a graceful shutdown expires, just
/// before it is closed: one whose MTA waits for a reply the classifier has not given yet (at end of message,
/// or an early check) sends the failure verdict first, as for a classifier that failed.
struct DrainDeadline: Sendable {}
