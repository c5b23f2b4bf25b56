import MilterProtocol

/// What the data the server keeps costs in memory: its bytes plus an overhead per stored item.
///
/// An empty header field is 4 bytes on the wire but an array element and a heap allocation in
/// memory; an empty ESMTP argument is 1 byte on the wire and a 16-byte string in an array. Counting
/// only wire bytes let 19 MB of empty ESMTP arguments take 300 MB. The overhead is an upper
/// estimate of Swift's per-item cost (array slot, string or array header, allocator rounding).
enum MemoryCost {
    /// The cost of one stored item besides its bytes.
    static let itemOverhead = 32

    /// A string kept as it came.
    static func string(_ byteCount: Int) -> Int { byteCount + itemOverhead }

    /// A MAIL or RCPT entry: the address, every ESMTP argument and the macros kept with it.
    static func envelope(_ envelope: EnvelopeAddress, macros: MacroValues) -> Int {
        var cost = itemOverhead * 2 + envelope.address.bytes.count * 2
        for argument in envelope.arguments { cost += string(argument.bytes.count) }
        return cost + self.macros(macros)
    }

    /// A set of macros: name and value of each.
    static func macros(_ values: MacroValues) -> Int {
        values.pairs.reduce(itemOverhead) { $0 + string($1.name.utf8.count) + string($1.value.utf8.count) }
    }

    /// A header field: name and value, two arrays in one element.
    static func header(_ field: HeaderField) -> Int {
        field.name.bytes.count + field.value.bytes.count + 4 + itemOverhead * 3
    }

    /// A command waiting in the queue while the classifier runs.
    static func queued(_ command: MilterCommand) -> Int {
        switch command {
        case .header(let field): header(field)
        case .body(let chunk), .endOfMessage(let chunk): chunk.readableBytes + itemOverhead * 2
        case .mail(let entry), .recipient(let entry): envelope(entry, macros: MacroValues())
        case .macro(let definition):
            definition.macros.reduce(itemOverhead * 2) {
                $0 + string($1.name.bytes.count) + string($1.value.bytes.count)
            }
        case .helo(let name): string(name.bytes.count) + itemOverhead
        default: itemOverhead * 4
        }
    }
}
