import MilterProtocol
import NIOCore

/// SplitMix64: a small, seeded, deterministic generator, so that every run tests the same values.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Generates commands and replies with awkward contents: empty strings, 8-bit bytes, invalid
/// UTF-8, NUL inside body chunks, any stage byte and any flag bits.
struct MessageGenerator {
    var rng: SeededGenerator

    init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    /// A string of 0 to `maximumLength` bytes, none of them NUL; a quarter of them empty.
    mutating func string(maximumLength: Int = 24) -> MilterString {
        if Int.random(in: 0..<4, using: &rng) == 0 { return MilterString(bytes: []) }
        let length = Int.random(in: 1...maximumLength, using: &rng)
        return MilterString(bytes: (0..<length).map { _ in UInt8.random(in: 1...255, using: &rng) })
    }

    mutating func strings(maximumCount: Int = 4) -> [MilterString] {
        (0..<Int.random(in: 0...maximumCount, using: &rng)).map { _ in string() }
    }

    /// Raw bytes, NUL included.
    mutating func bytes(maximumLength: Int = 64) -> ByteBuffer {
        let length = Int.random(in: 0...maximumLength, using: &rng)
        return ByteBuffer(bytes: (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }

    mutating func word() -> UInt32 { UInt32.random(in: 0...UInt32.max, using: &rng) }

    mutating func header() -> HeaderField { HeaderField(name: string(), value: string()) }

    mutating func change() -> EnvelopeChange {
        EnvelopeChange(address: string(), arguments: Bool.random(using: &rng) ? string() : nil)
    }

    mutating func negotiation(symbolLists: Bool) -> OptionNegotiation {
        let lists = symbolLists ? (0..<Int.random(in: 0...3, using: &rng)).map { _ in symbolList() } : []
        return OptionNegotiation(
            version: MilterVersion(rawValue: word()), actions: MilterActions(rawValue: word()),
            protocolFlags: MilterProtocolFlags(rawValue: word()), symbolLists: lists)
    }

    mutating func symbolList() -> SymbolList { SymbolList(stage: MacroStage(rawValue: word()), macros: string()) }

    mutating func address() -> ConnectInfo.Address {
        let port = UInt16.random(in: 0...UInt16.max, using: &rng)
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: return .unknown
        case 1: return .local(path: string(), port: port)
        case 2: return .inet(address: string(), port: port)
        default: return .inet6(address: string(), port: port)
        }
    }

    mutating func macros() -> MacroDefinition {
        let pairs = (0..<Int.random(in: 0...4, using: &rng)).map { _ in
            MacroDefinition.Macro(name: string(), value: string())
        }
        return MacroDefinition(stage: UInt8.random(in: 0...255, using: &rng), macros: pairs)
    }
}
