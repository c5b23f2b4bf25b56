import MilterProtocol
import NIOCore

/// A MACRO packet and its frame, encoded once: a message's ten HEADER steps send the same one.
struct MacroPacket {
    let definition: MacroDefinition
    /// The whole MACRO frame, or `nil` if the definition cannot be encoded (the step encodes it
    /// again, and refuses it with the error).
    let frame: ByteBuffer?

    init(_ definition: MacroDefinition) {
        self.definition = definition
        // One allocation for most packets (a Postfix MAIL packet is about 100 bytes).
        var frame = ByteBufferAllocator().buffer(capacity: 256)
        do {
            try frame.writeMilterCommand(.macro(definition))
            self.frame = frame
        } catch {
            self.frame = nil
        }
    }
}

/// The MACRO packet worked out for each command that carries macros, `nil` inside when the
/// command gets none: a table of fixed size indexed by the command rather than a dictionary, so
/// that a step looks its packet up without hashing, and a new connection makes one small array.
struct MacroPackets {
    /// One entry per command that carries macros, `nil` until worked out.
    private var packets = [MacroPacket??](repeating: nil, count: 10)

    /// The packet for `id`, if worked out: `.some(nil)` when it has none (and for a command
    /// that never carries macros).
    subscript(_ id: MilterCommand.ID) -> MacroPacket?? {
        get {
            guard let index = Self.index(id) else { return .some(nil) }
            return packets[index]
        }
        set {
            guard let index = Self.index(id) else { return }
            packets[index] = newValue
        }
    }

    /// Forgets every packet, keeping the table's storage.
    mutating func removeAll() {
        for index in packets.indices { packets[index] = nil }
    }

    private static func index(_ id: MilterCommand.ID) -> Int? {
        switch id {
        case .connect: 0
        case .helo: 1
        case .mail: 2
        case .recipient: 3
        case .data: 4
        case .header: 5
        case .endOfHeaders: 6
        case .body: 7
        case .endOfMessage: 8
        case .unknown: 9
        default: nil
        }
    }
}
