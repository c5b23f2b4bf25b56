import MilterProtocol

/// One optional value per MACRO stage (the stages of ``MacroTable/order``), in a fixed array: the session reads and writes these on every MACRO packet,
/// where a dictionary keyed by the stage byte would hash each time.
struct StageSlots<Value> {
    private var slots: [Value?] = Array(repeating: nil, count: MacroTable.order.count)

    /// The slot of `stage` (``MacroTable/slot(of:)``), or `nil` for a byte that is not a MACRO stage.
    private static func slot(of stage: UInt8) -> Int? { MacroTable.slot(of: stage) }

    /// The value of `stage`; setting a byte that is not a stage does nothing.
    subscript(stage: UInt8) -> Value? {
        get { Self.slot(of: stage).flatMap { slots[$0] } }
        set {
            guard let index = Self.slot(of: stage) else { return }
            slots[index] = newValue
        }
    }

    /// The value of the stage at `slot` (``MacroTable/slot(of:)``): a MACRO packet finds its slot once.
    subscript(slot slot: Int) -> Value? {
        get { slots[slot] }
        set { slots[slot] = newValue }
    }

    /// Removes and returns the value of the stage at `slot` (``MacroTable/slot(of:)``).
    mutating func take(slot: Int) -> Value? {
        defer { slots[slot] = nil }
        return slots[slot]
    }

    /// Removes every value past CONNECT and HELO (the transaction's stages, ``MacroTable/order``
    /// after its first two) and hands each to `body`.
    mutating func clearTransactionStages(_ body: (Value) -> Void = { _ in }) {
        for index in 2..<slots.count {
            if let value = slots[index] { body(value) }
            slots[index] = nil
        }
    }

    /// Removes every value and hands each to `body`.
    mutating func clearAll(_ body: (Value) -> Void = { _ in }) {
        for index in slots.indices {
            if let value = slots[index] { body(value) }
            slots[index] = nil
        }
    }
}
