import MilterProtocol

extension TransactionState {
    /// Whether Sendmail ends this transaction with ABORT. `milter_abort` and `milter_abort_filter`
    /// (`sendmail/milter.c`) write it only to a milter in the message (`SMFS_INMSG`); any other gets
    /// nothing, and the next MAIL goes as usual (`milter_envfrom` resets a milter done with the message).
    ///
    /// - Only CONTINUE to MAIL puts the milter in the message (`milter_send_command`): not a MAIL the
    ///   milter negotiated away (NOMAIL: the command is not sent) or takes without reply (NR_MAIL), nor
    ///   one refused or accepted. Such a milter gets no ABORT before its content starts; libmilter's
    ///   engine then aborts by itself when the next MAIL comes.
    /// - The content puts it in the message whatever it negotiated: `milter_data` sets `SMFS_INMSG`
    ///   before the headers.
    /// - SKIP at a header, EOH or body chunk takes the milter out of the message for good: `milter_send_command`
    ///   puts it in `SMFS_SKIP`, which no later header or EOH changes, and `milter_body` leaves it in
    ///   `SMFS_READY`; `milter_abort` tests `m->mf_state != SMFS_INMSG` and passes over either.
    /// - ACCEPT at any step leaves the milter done with the message (`milter_send_command`), as does a
    ///   verdict on the content (`milter_data`, `MILTER_CHECK_RESULTS`) and every final reply to end of
    ///   message.
    /// - A transaction with no step yet (the caller's ABORT between transactions, a scenario's `abort`)
    ///   has no milter in a message: no ABORT.
    var sendmailSendsAbort: Bool {
        var inMessage = false
        var skipped = false
        for record in steps where record.delivery != .notSent {
            let final = record.finalReply
            switch record.command {
            case .mail: inMessage = record.delivery == .awaited && final == .continue
            case .header, .endOfHeaders, .body:
                if final == .skip { skipped = true }
                inMessage = !skipped && (final == nil || final == .continue)
            case .endOfMessage: inMessage = !skipped && final == nil
            default: if final == .accept { inMessage = false }
            }
        }
        return inMessage
    }
}
