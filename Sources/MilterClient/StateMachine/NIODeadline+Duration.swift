import NIOCore

extension NIODeadline {
    /// The time from this instant to `other`, as a `Duration` (a step's or a transaction's).
    func duration(to other: NIODeadline) -> Duration { .nanoseconds((other - self).nanoseconds) }
}
