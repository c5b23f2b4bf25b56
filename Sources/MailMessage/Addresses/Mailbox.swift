/// One mailbox: a display name and an address (RFC 5322 section 3.4).
///
/// Both are decoded text; either is `""` when absent. For `"Doe, Jane" <jane@example.com>`
/// the name is `Doe, Jane` and the address `jane@example.com`.
public struct Mailbox: Sendable, Hashable, CustomStringConvertible {
    /// The display name, RFC 2047 decoded, or `""`.
    public var name: String
    /// The address (`local@domain`), or `""`.
    public var address: String

    /// Creates a mailbox.
    public init(name: String = "", address: String = "") {
        self.name = name
        self.address = address
    }

    /// The empty mailbox, used when a header is missing.
    public static let empty = Mailbox()

    /// The local part: everything before the last `@` of the address.
    public var localPart: String {
        guard let at = address.lastIndex(of: "@") else { return address }
        return String(address[..<at])
    }

    /// The domain: everything after the last `@` of the address, lowercased, without brackets for literals.
    public var domain: String {
        guard let at = address.lastIndex(of: "@") else { return "" }
        return String(address[address.index(after: at)...]).lowercased()
    }

    /// A redacted description: personal data is not printed.
    public var description: String { "Mailbox(name: \(name.count) chars, address: \(address.count) chars)" }
}

/// A named group of mailboxes, such as `undisclosed-recipients:;` (RFC 5322 section 3.4).
public struct AddressGroup: Sendable, Hashable {
    /// The group's display name, decoded.
    public var name: String
    /// The mailboxes in the group, possibly none.
    public var members: [Mailbox]

    /// Creates a group.
    public init(name: String, members: [Mailbox]) {
        self.name = name
        self.members = members
    }
}

/// One element of an address list: a mailbox or a group.
public enum AddressListEntry: Sendable, Hashable {
    /// A single mailbox.
    case mailbox(Mailbox)
    /// A group of mailboxes.
    case group(AddressGroup)
}
