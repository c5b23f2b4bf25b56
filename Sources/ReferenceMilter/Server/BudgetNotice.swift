import MilterProtocol

/// A transaction went over the connection's memory budget: logged once, with what identifies the message.
struct BudgetNotice: Equatable {
    /// The queue id (macro `i`) known when the budget was reached, or `nil` when the MTA had sent none yet
    /// (which stages carry it depends on the MTA's configuration).
    let queueID: String?

    /// The notice for a transaction whose macros are `macros`; `pending` are the values of a MACRO
    /// packet that could not be kept, whose `i` counts too.
    init(macros: MacroTable, pending: MacroValues = MacroValues()) {
        queueID = [pending["i"], macros["i"]].lazy.compactMap { $0 }.first { !$0.isEmpty }
    }
}

/// A transaction over the memory budget that got its tempfail at end of message, without classification.
struct BudgetRefusal {
    /// The notice of the transaction: its queue id.
    let notice: BudgetNotice
    /// The message as the observer sees it: the client, HELO, envelope and macros, but no header fields and
    /// no body (dropped when the budget was reached; ``MailInfo/isBodyTruncated`` is set). Its queue id is
    /// the notice's, when the macros that carried it did not fit.
    let mail: MailInfo

    /// The refusal of the transaction `mail` describes (its content is not kept), with its `notice`.
    init(notice: BudgetNotice, mail: MailInfo) {
        self.notice = notice
        var kept = MailInfo(
            client: mail.client, helo: mail.helo, sender: mail.sender, recipients: mail.recipients,
            macros: mail.macros, isBodyTruncated: true)
        if let queueID = notice.queueID, kept.macros["i"]?.isEmpty ?? true {
            let stage = MilterCommand.ID.endOfMessage
            let values = kept.macros.stage(stage).merging(["i": queueID]) { $1 }
            kept.macros.set(stage: stage.rawValue, MacroValues(values))
        }
        self.mail = kept
    }

    /// The decision sent: a tempfail, with the reason of the decision line.
    var decision: Decision { Decision.memoryBudgetRefusal }
}
