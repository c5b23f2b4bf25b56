import MilterProtocol
import NIOCore
import _MilterSystem

/// Remembers the last small MACRO packet of each stage with its decoded form, so that the same
/// packet again is not decoded again.
///
/// Postfix sends a MACRO packet before nearly every command, most of them the same as the last one
/// of their stage (`i` before every header field). Decoding one makes an array and two strings per
/// macro; comparing its bytes with the remembered packet makes none. The answer is the remembered
/// ``MacroDefinition`` itself, whose storage is shared, so that a later comparison of the two finds
/// them identical at once. Used on the connection's event loop only.
struct MacroPacketMemo {
    /// The largest payload remembered: larger packets are rare, and decoded each time.
    static let largestPayload = 256

    /// At most one per stage of ``MacroTable/order``: other stages are refused by the session.
    private var entries: [(payload: [UInt8], definition: MacroDefinition)] = []

    /// The definition a MACRO payload decodes to, if it is the one last remembered for its stage.
    func definition(of payload: ByteBuffer) -> MacroDefinition? {
        guard payload.readableBytes <= Self.largestPayload else { return nil }
        // One look at the buffer's storage for the stage byte and the comparison: each is a dynamic
        // exclusivity check in NIO (Postfix sends about 16 MACRO packets per message).
        return payload.withUnsafeReadableBytes { definition(of: $0) }
    }

    /// The definition of a MACRO payload read in place (the framer's one look at a frame), as
    /// ``definition(of:)-(ByteBuffer)`` gives it.
    func definition(of received: UnsafeRawBufferPointer) -> MacroDefinition? {
        guard received.count <= Self.largestPayload, let stage = received.first,
            let entry = entries.first(where: { $0.definition.stage == stage }),
            entry.payload.count == received.count,
            entry.payload.withUnsafeBytes({ kept in Self.sameBytes(kept, received) })
        else { return nil }
        return entry.definition
    }

    /// Whether two buffers of one length hold the same bytes: `memcmp`, where `elementsEqual` went byte by byte
    /// through two iterators (a MAIL or RCPT packet is about a hundred bytes).
    private static func sameBytes(_ kept: UnsafeRawBufferPointer, _ received: UnsafeRawBufferPointer) -> Bool {
        guard let left = kept.baseAddress, let right = received.baseAddress else { return kept.count == received.count }
        return memcmp(left, right, kept.count) == 0
    }

    /// Remembers a MACRO payload and its definition as the last of its stage.
    mutating func remember(_ payload: ByteBuffer, as definition: MacroDefinition) {
        guard payload.readableBytes <= Self.largestPayload, MacroTable.order.contains(definition.stage) else {
            return
        }
        // Copied in one go from the buffer's storage, not byte by byte through its view.
        let bytes = payload.withUnsafeReadableBytes { [UInt8]($0) }
        // Room for every stage at once: Postfix sends packets of up to nine stages, and the array grew five times
        // on every connection.
        if entries.isEmpty { entries.reserveCapacity(MacroTable.order.count) }
        if let index = entries.firstIndex(where: { $0.definition.stage == definition.stage }) {
            entries[index] = (bytes, definition)
        } else {
            entries.append((bytes, definition))
        }
    }
}
