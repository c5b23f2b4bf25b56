import MilterProtocol

extension TransactionState {
    /// Whether Sendmail ends this transaction with ABORT. `milter_abort` and `milter_abort_filter`
    /// (`sendmail/milter.c`) write it only to a milter still in the message (`SMFS_INMSG`); a milter done
    /// with the message (`SMFS_DONE`) gets nothing, and the next MAIL goes as usual (`milter_envfrom`
    /// resets it).
    ///
    /// - MAIL puts the milter in the message unless its verdict refused or accepted it.
    /// - ACCEPT at any step leaves the milter done with the message (`milter_send_command`).
    /// - A verdict on the content ends it (`milter_data`, `MILTER_CHECK_RESULTS`), as does every final
    ///   reply to end of message.
    /// - A transaction with no step yet is the caller's own ABORT between transactions (a scenario's
    ///   `abort`): it goes, as asked.
    ///
    /// Not modelled: Sendmail moves a milter into the message only on CONTINUE to MAIL, so one that
    /// negotiated NOMAIL or NR_MAIL gets no ABORT before its content starts (libmilter's engine then
    /// aborts by itself when the next MAIL comes). Here MAIL sent without a reply counts as CONTINUE.
    var sendmailSendsAbort: Bool {
        guard !steps.isEmpty else { return true }
        var inMessage = false
        for record in steps where record.delivery != .notSent {
            let final = record.finalReply
            switch record.command {
            case .mail: inMessage = final == nil || final == .continue
            case .header, .endOfHeaders, .body: inMessage = final == nil || final == .continue || final == .skip
            case .endOfMessage: inMessage = final == nil
            default: if final == .accept { inMessage = false }
            }
        }
        return inMessage
    }
}
