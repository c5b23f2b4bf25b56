import MilterProtocol

/// The macros of one MACRO packet or one stage: names without braces, each name once (a later
/// duplicate in the packet wins).
///
/// Kept as pairs (in the order they came, for a packet of up to 16; a larger one, deduplicated through a
/// dictionary, in that dictionary's order): a message's few lookups (the queue id) scan a handful of
/// pairs for less than building a dictionary per packet costs (an allocation and a hash per name);
/// the dictionary is made when the public API asks for one. Two values are equal when their
/// dictionaries are, whatever the order of their pairs.
struct MacroValues: Hashable, Sendable, ExpressibleByDictionaryLiteral {
    /// One macro.
    struct Pair: Hashable, Sendable {
        let name: String
        let value: String
    }

    /// The pairs, each name once.
    private(set) var pairs: [Pair] = []

    /// Packets with more pairs than this find their duplicates through a dictionary, not by scanning.
    private static let scanLimit = 16

    /// No macros.
    init() {}

    /// The values of a dictionary.
    init(_ dictionary: [String: String]) {
        pairs = dictionary.map { Pair(name: $0.key, value: $0.value) }
    }

    init(dictionaryLiteral elements: (String, String)...) {
        self.init(Dictionary(elements) { _, new in new })
    }

    /// Converts a MACRO payload's pairs, braces stripped as ``MacroTable`` strips them;
    /// a later duplicate wins.
    init(_ definition: MacroDefinition) {
        guard definition.macros.count <= Self.scanLimit else {
            var values: [String: String] = [:]
            for macro in definition.macros { values[MacroTable.normalize(macro.name)] = macro.value.string }
            pairs = values.map { Pair(name: $0.key, value: $0.value) }
            return
        }
        var pairs: [Pair] = []
        pairs.reserveCapacity(definition.macros.count)
        for macro in definition.macros {
            let pair = Pair(name: MacroTable.normalize(macro.name), value: macro.value.string)
            if let index = pairs.firstIndex(where: { $0.name == pair.name }) {
                pairs[index] = pair
            } else {
                pairs.append(pair)
            }
        }
        self.pairs = pairs
    }

    /// The value of the macro `name` (without braces).
    subscript(name: String) -> String? { pairs.first { $0.name == name }?.value }

    /// Whether there is no macro.
    var isEmpty: Bool { pairs.isEmpty }

    /// The macros as a dictionary.
    var dictionary: [String: String] {
        Dictionary(pairs.lazy.map { ($0.name, $0.value) }) { _, new in new }
    }

    static func == (lhs: MacroValues, rhs: MacroValues) -> Bool {
        lhs.pairs == rhs.pairs || lhs.dictionary == rhs.dictionary
    }

    func hash(into hasher: inout Hasher) { hasher.combine(dictionary) }
}
