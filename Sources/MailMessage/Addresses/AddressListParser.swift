/// Turns address tokens into entries, one token at a time.
struct AddressListParser {
    private var entries: [AddressListEntry] = []
    private var group: AddressGroup?
    private var item = Item()
    /// A comma-separated name without address, kept in case it was the first half of an unquoted
    /// `Doe, Jane <jane@example.com>`.
    private var danglingName: [AddressToken] = []
    /// Whether a name-only item whose quoted string holds an address is parsed again without the
    /// quotes (an unterminated quote swallows the rest of the field). Only one level deep.
    private let salvagesQuotedAddresses: Bool

    init(salvagesQuotedAddresses: Bool = true) { self.salvagesQuotedAddresses = salvagesQuotedAddresses }

    /// The tokens of one mailbox as they arrive.
    private struct Item {
        var phrase: [AddressToken] = []
        var angle: [AddressToken] = []
        var comments: [AddressToken] = []
        /// Words after the closing `>` with no comma before them: the start of the next mailbox.
        var trailing: [AddressToken] = []
        var inAngle = false
        var hasAngle = false
        var isEmpty: Bool { phrase.isEmpty && angle.isEmpty && !hasAngle }
    }

    mutating func consume(_ token: AddressToken) {
        if token.kind == .comment {
            item.comments.append(token)
        } else if item.inAngle {
            // A `<` inside the brackets (`<<a@x>>`) is no part of the address.
            if token.isSpecial(0x3E) {
                item.inAngle = false
            } else if !token.isSpecial(0x3C) {
                item.angle.append(token)
            }
        } else if token.isSpecial(0x3C) {
            if item.hasAngle {
                // `"A" <a@x> "B" <b@y>`: a missing comma; the words in between name the second mailbox.
                let name = item.trailing
                item.trailing = []
                finishItem()
                item.phrase = name
            }
            item.inAngle = true
            item.hasAngle = true
        } else if token.isSpecial(0x2C) {
            finishItem()
        } else if token.isSpecial(0x3B) {
            finishItem()
            closeGroup()
        } else if token.isSpecial(ASCII.colon), group == nil, !item.hasAngle, !item.phrase.contains(where: isAt) {
            flushDanglingName()
            group = AddressGroup(name: AddressText.phrase(item.phrase), members: [])
            item = Item()
        } else if item.hasAngle {
            item.trailing.append(token)
        } else {
            item.phrase.append(token)
        }
    }

    mutating func finish() -> [AddressListEntry] {
        finishItem()
        flushDanglingName()
        closeGroup()
        return entries
    }

    private func isAt(_ token: AddressToken) -> Bool { token.isSpecial(0x40) }

    private mutating func finishItem() {
        defer { item = Item() }
        if item.isEmpty { return }
        if item.hasAngle {
            var name = item.phrase
            if !danglingName.isEmpty, !name.isEmpty {
                name = danglingName + [AddressToken(kind: .atom, bytes: [0x2C], spaceBefore: false)] + name
                danglingName = []
            }
            flushDanglingName()
            add(Mailbox(name: nameOrComment(name), address: AddressText.addrSpec(stripRoute(item.angle))))
            // `<a@x> b@y`: a bare address after an angle address, with the comma missing.
            for run in addressRuns(item.trailing) { add(Mailbox(address: AddressText.addrSpec(run))) }
        } else if item.phrase.contains(where: isAt) {
            flushDanglingName()
            let runs = addressRuns(item.phrase)
            for (index, run) in runs.enumerated() {
                add(Mailbox(name: index == 0 ? nameOrComment([]) : "", address: AddressText.addrSpec(run)))
            }
        } else {
            flushDanglingName()
            danglingName = item.phrase
        }
    }

    /// A name-only item that no angle address claimed becomes its own mailbox.
    private mutating func flushDanglingName() {
        guard !danglingName.isEmpty else { return }
        let tokens = danglingName
        danglingName = []
        if let salvaged = salvage(tokens) {
            salvaged.forEach { add($0) }
            return
        }
        let isSingleWord = tokens.count == 1 && tokens[0].kind == .atom
        add(
            isSingleWord
                ? Mailbox(address: AddressText.addrSpec(tokens)) : Mailbox(name: AddressText.phrase(tokens)))
    }

    /// The mailboxes inside a quoted string such as `"Name <a@example.com>` whose quote never closed.
    private func salvage(_ tokens: [AddressToken]) -> [Mailbox]? {
        guard salvagesQuotedAddresses,
            let quoted = tokens.first(where: {
                $0.kind == .quoted && $0.bytes.contains(0x40) && $0.bytes.contains(0x3C)
            })
        else { return nil }
        var inner = AddressListParser(salvagesQuotedAddresses: false)
        for token in AddressTokenizer.tokenize(quoted.bytes[...]) { inner.consume(token) }
        let mailboxes = AddressList(entries: inner.finish()).mailboxes.filter { !$0.address.isEmpty }
        return mailboxes.isEmpty ? nil : mailboxes
    }

    /// The bare addresses in `tokens`, one run of tokens each: `a@x b@y` (a missing comma) is two. A new
    /// address starts at a word after white space once the run holds an `@` and does not end in `.` or `@`
    /// (so the obsolete spaced form `ann . lee @ example . com` stays one). Runs without `@` are dropped.
    private func addressRuns(_ tokens: [AddressToken]) -> [[AddressToken]] {
        var runs: [[AddressToken]] = [[]]
        for token in tokens {
            let run = runs[runs.count - 1]
            if token.spaceBefore, token.kind == .atom || token.kind == .quoted, let last = run.last,
                !last.isSpecial(0x2E), !last.isSpecial(0x40), run.contains(where: isAt)
            {
                runs.append([token])
            } else {
                runs[runs.count - 1].append(token)
            }
        }
        return runs.filter { $0.contains(where: isAt) }
    }

    private func nameOrComment(_ phrase: [AddressToken]) -> String {
        let name = AddressText.phrase(phrase)
        if !name.isEmpty { return name }
        guard let comment = item.comments.last(where: { !$0.bytes.isEmpty }) else { return "" }
        return EncodedWords.decode(ASCII.trimmed(comment.bytes[...]))
    }

    /// Drops an obsolete source route: everything up to the last `:` in `<@a,@b:user@host>`.
    private func stripRoute(_ tokens: [AddressToken]) -> [AddressToken] {
        guard let colon = tokens.lastIndex(where: { $0.isSpecial(ASCII.colon) }) else { return tokens }
        return Array(tokens[(colon + 1)...])
    }

    private mutating func add(_ mailbox: Mailbox) {
        if group != nil { group?.members.append(mailbox) } else { entries.append(.mailbox(mailbox)) }
    }

    private mutating func closeGroup() {
        flushDanglingName()
        guard let closed = group else { return }
        entries.append(.group(closed))
        group = nil
    }
}
