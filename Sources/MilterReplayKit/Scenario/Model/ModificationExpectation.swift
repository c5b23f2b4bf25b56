/// One modification the milter must send at end of message (an item of `modifications:`).
package enum ModificationExpectation: Hashable, Sendable {
    /// ADDHEADER (`add-header: {name, value}`).
    case addHeader(name: String, value: TextMatch?)
    /// INSHEADER at an index (`insert-header: {index, name, value}`); `nil` index: any.
    case insertHeader(index: Int?, name: String, value: TextMatch?)
    /// CHGHEADER with a value (`change-header: {name, index, value}`); `nil` index: any.
    case changeHeader(name: String, index: Int?, value: TextMatch?)
    /// CHGHEADER with an empty value (`delete-header: {name, index}`).
    case deleteHeader(name: String, index: Int?)
    /// ADDRCPT or ADDRCPT_PAR (`add-recipient: {address, args}`); `args` only matches ADDRCPT_PAR.
    case addRecipient(address: TextMatch, arguments: TextMatch?)
    /// DELRCPT (`delete-recipient: ADDRESS`).
    case deleteRecipient(address: TextMatch)
    /// CHGFROM (`change-sender: {address, args}`).
    case changeSender(address: TextMatch, arguments: TextMatch?)
    /// REPLBODY, the chunks joined (`replace-body: TEXT`, `{matches:}`, `{contains:}`).
    case replaceBody(TextMatch)

    /// The YAML key of the modification.
    package var keyword: String {
        switch self {
        case .addHeader: "add-header"
        case .insertHeader: "insert-header"
        case .changeHeader: "change-header"
        case .deleteHeader: "delete-header"
        case .addRecipient: "add-recipient"
        case .deleteRecipient: "delete-recipient"
        case .changeSender: "change-sender"
        case .replaceBody: "replace-body"
        }
    }
}
