import MilterProtocol
import NIOCore

/// What a connection has exchanged with its milter so far, as 128 bits: every frame written
/// (queue IDs masked) and every event read, in order. Two connections with the same digest drove
/// their ``MTAConnectionStateMachine`` with the same inputs, so the machines stand in the same
/// state but for the connection's own tag, its queue IDs and the clock (the machine is a pure
/// value: see ``ExchangeMemoStore``). After a recorded transaction the digest is of the state
/// instead (``state(_:after:)``): the digest of the connection's own steps and a description of
/// the machine, so that connections that sent other messages before but stand alike share records.
///
/// Two SipHash states of the standard library's `Hasher`, fed the same input after different
/// prefixes. `Hasher` is seeded once per process, so a digest means something only in the process
/// that made it, which is all a store of exchanges needs.
struct ExchangeDigest: Hashable {
    var first: Int
    var second: Int

    /// The digest of a connection that has exchanged nothing yet.
    static let start = ExchangeDigest(first: 0, second: 0)

    /// The digest of a connection whose own steps had digest `prologue` and whose machine now
    /// stands between transactions (``MTAConnectionStateMachine/hashBetweenTransactions(into:)``):
    /// the same for every connection in that state, whatever messages it sent before. `nil` if
    /// the machine does not stand so.
    static func state(of machine: inout MTAConnectionStateMachine, after prologue: ExchangeDigest) -> ExchangeDigest? {
        var hashing = ExchangeHashing(after: prologue)
        hashing.combine(ExchangeHashing.Tag.state)
        guard machine.hashBetweenTransactions(into: &hashing) else { return nil }
        return hashing.finalize()
    }
}

/// Builds the next ``ExchangeDigest`` from the one before and what followed it.
struct ExchangeHashing {
    private var first = Hasher()
    private var second = Hasher()

    /// What happened, in the digest's input; each tag is followed by its value.
    enum Tag: UInt8 {
        case message = 0x4D
        case step = 0x53
        case write = 0x57
        case mask = 0x2A
        case reply = 0x52
        case state = 0x73
    }

    init(after previous: ExchangeDigest) {
        first.combine(0x5EED_0001 as UInt32)
        second.combine(0x5EED_0002 as UInt32)
        combine(previous.first)
        combine(previous.second)
    }

    mutating func combine(_ tag: Tag) { combine(tag.rawValue) }

    mutating func combine<Value: Hashable>(_ value: Value) {
        first.combine(value)
        second.combine(value)
    }

    /// Frames written, with the byte ranges in `masked` (a queue ID) left out but their lengths kept.
    mutating func combine(written frames: ByteBuffer, masked: [Range<Int>]) {
        combine(Tag.write)
        combine(frames.readableBytes)
        frames.withUnsafeReadableBytes { bytes in
            var from = 0
            for range in masked {
                hashBytes(UnsafeRawBufferPointer(rebasing: bytes[from..<range.lowerBound]))
                combine(Tag.mask)
                from = range.upperBound
            }
            hashBytes(UnsafeRawBufferPointer(rebasing: bytes[from...]))
        }
    }

    private mutating func hashBytes(_ bytes: UnsafeRawBufferPointer) {
        first.combine(bytes: bytes)
        second.combine(bytes: bytes)
    }

    func finalize() -> ExchangeDigest {
        ExchangeDigest(first: first.finalize(), second: second.finalize())
    }
}
