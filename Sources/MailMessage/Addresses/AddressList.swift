/// An address list as found in From, To, Cc, Reply-To and similar fields (RFC 5322 section 3.4).
///
/// Parsing is lenient: display names with or without quotes, comments (used as the name when
/// there is no other), groups, obsolete routes (`<@relay:user@host>`), missing commas between
/// angle addresses, unbalanced quotes or brackets, RFC 2047 names and UTF-8 addresses (RFC 6532).
///
/// ```swift
/// let list = AddressList(parsing: #""Doe, Jane" <jane@example.com>, team: a@x.org, b@x.org;"#)
/// // list.mailboxes.map(\.address) == ["jane@example.com", "a@x.org", "b@x.org"]
/// ```
public struct AddressList: Sendable, Hashable {
    /// The entries in order.
    public var entries: [AddressListEntry]

    /// Creates a list from entries.
    public init(entries: [AddressListEntry]) { self.entries = entries }

    /// Parses an address list from a raw (possibly folded) header value.
    public init(parsing value: ArraySlice<UInt8>) {
        var parser = AddressListParser()
        for token in AddressTokenizer.tokenize(Unfolding.unfold(value)) { parser.consume(token) }
        entries = parser.finish()
    }

    /// Parses an address list from text.
    public init(parsing value: String) { self.init(parsing: Array(value.utf8)[...]) }

    /// Every mailbox, with groups flattened.
    public var mailboxes: [Mailbox] {
        entries.flatMap { entry -> [Mailbox] in
            switch entry {
            case .mailbox(let mailbox): [mailbox]
            case .group(let group): group.members
            }
        }
    }
}
