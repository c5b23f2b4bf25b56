/// The bytes a ``BlockingSocket`` read and ``BlockingReplyReader`` has not cut into frames yet, in
/// memory of its own: what a `ByteBuffer` held before. Each look at a `ByteBuffer`'s storage (NIO's
/// code, inlined here) was a dynamic exclusivity check, a call into the runtime with a thread-local
/// look-up, and a read, a decoded frame and its slice took several; this memory is read through
/// pointers that no check guards. Used by one thread at a time.
struct ReceiveBuffer {
    /// The memory, freed with its last reference (a struct has no deinit).
    private final class Storage {
        let bytes: UnsafeMutableRawPointer

        init(capacity: Int) { bytes = .allocate(byteCount: capacity, alignment: 1) }

        deinit { bytes.deallocate() }
    }

    /// The memory's owner, `nil` until the first read. Its start and size are kept here too, so
    /// that a read or a look at the bytes does not touch (retain and release) the object.
    private var storage: Storage?
    private var base: UnsafeMutableRawPointer?
    /// How many bytes the memory holds (0 before the first read).
    private(set) var capacity = 0
    /// Where the unread bytes start in the memory.
    private var readerIndex = 0
    /// Where they end.
    private var writerIndex = 0

    /// How many bytes were read and not consumed.
    var readableBytes: Int { writerIndex - readerIndex }

    /// The unread bytes, valid until the buffer changes.
    var readable: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base.map { UnsafeRawPointer($0 + readerIndex) }, count: writerIndex - readerIndex)
    }

    /// Lets `fill` write into the room after the unread bytes, at least `minimum` bytes of it (the
    /// unread bytes moved to the start, or the memory grown to a power of two, if needed); `fill`
    /// returns how many bytes it wrote (a negative count: none), which this returns.
    mutating func write(minimumWritableBytes minimum: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Int) -> Int {
        if capacity - writerIndex < minimum { makeRoom(for: minimum) }
        let written = fill(UnsafeMutableRawBufferPointer(start: base! + writerIndex, count: capacity - writerIndex))
        writerIndex += max(0, written)
        return written
    }

    /// Consumes the first `count` unread bytes; once all are, the next read starts at the memory's start.
    mutating func moveReaderIndex(forwardBy count: Int) {
        precondition(count >= 0 && count <= readableBytes)
        readerIndex += count
        if readerIndex == writerIndex {
            readerIndex = 0
            writerIndex = 0
        }
    }

    /// Makes at least `minimum` bytes of room after the unread bytes: moves them to the start, or
    /// grows the memory.
    private mutating func makeRoom(for minimum: Int) {
        let unread = readableBytes
        if let base, capacity - unread >= minimum {
            base.copyMemory(from: base + readerIndex, byteCount: unread)
        } else {
            var grown = max(capacity, 1)
            while grown < unread + minimum { grown *= 2 }
            let memory = Storage(capacity: grown)
            if let base, unread > 0 { memory.bytes.copyMemory(from: base + readerIndex, byteCount: unread) }
            storage = memory
            base = memory.bytes
            capacity = grown
        }
        readerIndex = 0
        writerIndex = unread
    }
}
