/// A transaction went over the connection's memory budget: logged once, with what identifies the message.
struct BudgetNotice: Equatable {
    /// The queue id (macro `i`) known when the budget was reached, or `nil` when the MTA had sent none yet
    /// (which stages carry it depends on the MTA's configuration).
    let queueID: String?

    /// The notice for a transaction whose macros are `macros`; `pending` are the values of a MACRO
    /// packet that could not be kept, whose `i` counts too.
    init(macros: MacroTable, pending: [String: String] = [:]) {
        queueID = [pending["i"], macros["i"]].lazy.compactMap { $0 }.first { !$0.isEmpty }
    }
}
