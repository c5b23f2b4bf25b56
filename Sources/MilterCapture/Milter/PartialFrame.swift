import NIOCore

/// The 4-byte length and the command byte of a frame, gathered across packets.
struct FrameHeaderAccumulator {
    private var bytes: UInt64 = 0
    private(set) var count = 0
    private(set) var startOffset: Int64 = 0
    private(set) var firstPacket = 0

    /// Takes header bytes from `buffer`; returns the length field and command once all five are in.
    mutating func take(_ buffer: inout ByteBuffer, offset: Int64, packet: Int) -> (Int, UInt8)? {
        if count == 0 {
            startOffset = offset
            firstPacket = packet
            // The common case: the whole header in one piece.
            if let length = buffer.readInteger(as: UInt32.self) {
                guard let command = buffer.readInteger(as: UInt8.self) else {
                    bytes = UInt64(length)
                    count = 4
                    return nil
                }
                count = 5
                return (Int(length), command)
            }
        }
        while count < 5, let byte = buffer.readInteger(as: UInt8.self) {
            bytes = bytes << 8 | UInt64(byte)
            count += 1
        }
        guard count == 5 else { return nil }
        return (Int(bytes >> 8), UInt8(truncatingIfNeeded: bytes))
    }
}

/// A frame whose header is known and whose payload is arriving.
struct PartialFrame {
    let command: UInt8
    let declaredLength: Int
    let streamOffset: Int64
    let firstPacket: Int
    private(set) var lastPacket: Int
    /// The payload captured before the first missing byte.
    private(set) var payload: ByteBuffer
    /// Payload bytes received or skipped so far.
    private var accounted = 0
    /// Payload bytes the capture lacks.
    private var lacking = 0
    /// Whether the payload received was dropped to keep the memory budget (see ``dropPayload()``).
    private(set) var dropped = false

    init(command: UInt8, declaredLength: Int, streamOffset: Int64, firstPacket: Int) {
        self.command = command
        self.declaredLength = declaredLength
        self.streamOffset = streamOffset
        self.firstPacket = firstPacket
        self.lastPacket = firstPacket
        // The header only announces the length: room grows with the bytes that really arrive, so a
        // forged length costs nothing until its bytes are there.
        self.payload = ByteBufferAllocator().buffer(capacity: min(declaredLength, Self.initialCapacity))
    }

    /// The payload room reserved before any byte arrived.
    static let initialCapacity = 64 << 10

    /// A frame whose whole payload is at hand, as a slice of the packet that carried it.
    init(command: UInt8, wholePayload: ByteBuffer, streamOffset: Int64, firstPacket: Int, lastPacket: Int) {
        self.command = command
        self.declaredLength = wholePayload.readableBytes
        self.streamOffset = streamOffset
        self.firstPacket = firstPacket
        self.lastPacket = lastPacket
        self.payload = wholePayload
        self.accounted = declaredLength
    }

    var remaining: Int { declaredLength - accounted }
    /// Payload bytes not held: those the capture lacks, or all of them once the payload was dropped.
    var missing: Int { dropped ? declaredLength : lacking }
    /// The payload bytes received before the first missing one; once the payload was dropped, all received.
    var receivedBytes: Int { dropped ? accounted - lacking : payload.readableBytes }
    /// The memory the payload holds.
    var heldBytes: Int { payload.capacity }
    var isComplete: Bool { accounted == declaredLength }

    /// Moves payload bytes from `buffer`; after a hole, bytes are counted but not kept, so the payload never
    /// joins bytes across missing ones.
    mutating func append(_ buffer: inout ByteBuffer, packet: Int) {
        let count = min(remaining, buffer.readableBytes)
        var slice = buffer.readSlice(length: count)!
        if lacking == 0 && !dropped { payload.writeBuffer(&slice) }
        accounted += count
        lastPacket = packet
    }

    /// Accounts for `count` payload bytes the capture lacks.
    mutating func skip(_ count: Int, packet: Int) {
        accounted += count
        lacking += count
        lastPacket = packet
    }

    /// Lets go of the payload received so far and keeps none that follows: the frame is still followed to its
    /// end, so the next frame is found, but it is complete no more. Returns the payload bytes let go.
    mutating func dropPayload() -> Int {
        let count = payload.readableBytes
        payload = ByteBuffer()
        dropped = true
        return count
    }
}
