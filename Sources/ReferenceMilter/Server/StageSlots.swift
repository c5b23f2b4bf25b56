import MilterProtocol

/// One optional value per MACRO stage (`C`, `H`, `M`, `R`, `T`, `L`, `N`, `B`, `U`, `E`, the stages
/// of ``MacroTable``), in a fixed array: the session reads and writes these on every MACRO packet,
/// where a dictionary keyed by the stage byte would hash each time.
struct StageSlots<Value> {
    private var slots: [Value?] = Array(repeating: nil, count: MacroTable.order.count)

    /// The slot of `stage`, or `nil` for a byte that is not a MACRO stage.
    private static func slot(of stage: UInt8) -> Int? {
        switch stage {
        case UInt8(ascii: "C"): 0
        case UInt8(ascii: "H"): 1
        case UInt8(ascii: "M"): 2
        case UInt8(ascii: "R"): 3
        case UInt8(ascii: "T"): 4
        case UInt8(ascii: "L"): 5
        case UInt8(ascii: "N"): 6
        case UInt8(ascii: "B"): 7
        case UInt8(ascii: "U"): 8
        case UInt8(ascii: "E"): 9
        default: nil
        }
    }

    /// Whether `stage` is one of the MACRO stages, so that it has a slot.
    static func isStage(_ stage: UInt8) -> Bool { slot(of: stage) != nil }

    /// The value of `stage`; setting a byte that is not a stage does nothing.
    subscript(stage: UInt8) -> Value? {
        get { Self.slot(of: stage).flatMap { slots[$0] } }
        set {
            guard let index = Self.slot(of: stage) else { return }
            slots[index] = newValue
        }
    }

    /// Removes and returns the value of `stage`.
    mutating func take(_ stage: UInt8) -> Value? {
        guard let index = Self.slot(of: stage) else { return nil }
        defer { slots[index] = nil }
        return slots[index]
    }

    /// Removes every value past CONNECT and HELO (the transaction's stages) and hands each to `body`.
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
