/// srmilter's decision helpers. The server logs each decision as one line when it is applied:
/// `<queue-id>: ACCEPT (<reason>)`, `<queue-id>: REJECT (<reason>) "<client text>"`.
extension MailInfo {
    /// Accept, with a reason for the log.
    public func accept(_ reason: String) -> Decision { .accept(reason) }

    /// Reject with srmilter's text: `550 5.7.1 Message refused (<queue-id>)`.
    public func reject(_ reason: String) -> Decision {
        .reject(reason, client: "Message refused (\(queueID))")
    }

    /// Reject with a text for the client: `550 5.7.1 <client>` (cut to 200 bytes, `%` doubled).
    public func reject(_ reason: String, client: String) -> Decision { .reject(reason, client: client) }

    /// Tempfail with a text for the client: `451 4.7.1 <client>`.
    public func tempfail(_ reason: String, client: String) -> Decision { .tempfail(reason, client: client) }

    /// Discard silently.
    public func discard(_ reason: String) -> Decision { .discard(reason) }

    /// Quarantine in the MTA's hold queue.
    public func quarantine(_ reason: String) -> Decision { .quarantine(reason) }
}
