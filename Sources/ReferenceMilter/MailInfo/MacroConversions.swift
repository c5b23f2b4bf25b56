import MilterProtocol

/// The last few MACRO packets converted into ``MacroTable`` values, with their memory cost.
///
/// Converting a packet builds an array and a string per name and value. Postfix sends the same
/// pairs many times: `i` alone before DATA, every header field, EOH, each body chunk and end of
/// message, under different stages. The pairs are compared, not the stage, so all of those share one
/// conversion. Only packets whose cost is at most `largestCost` are kept.
struct MacroConversions {
    /// How many conversions are kept; the oldest goes first.
    static let capacity = 4

    private let largestCost: Int
    private var entries: [(macros: [MacroDefinition.Macro], values: MacroValues, cost: Int)] = []
    private var oldest = 0

    init(largestCost: Int) { self.largestCost = largestCost }

    /// The values of a packet's pairs and their cost (``MemoryCost/macros(_:)``), converted now or earlier.
    mutating func values(of definition: MacroDefinition) -> (values: MacroValues, cost: Int) {
        if let entry = entries.first(where: { $0.macros == definition.macros }) { return (entry.values, entry.cost) }
        let values = MacroValues(definition)
        let cost = MemoryCost.macros(values)
        guard cost <= largestCost else { return (values, cost) }
        if entries.count < Self.capacity {
            entries.append((definition.macros, values, cost))
        } else {
            entries[oldest] = (definition.macros, values, cost)
            oldest = (oldest + 1) % Self.capacity
        }
        return (values, cost)
    }
}
