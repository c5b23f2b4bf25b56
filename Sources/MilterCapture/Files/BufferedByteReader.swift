import NIOCore

/// Reads a byte source through a small buffer, handing out records as `ByteBuffer` slices.
///
/// Callers check a record's announced size against their limit before calling ``take(_:)``,
/// so the buffer never grows beyond the largest accepted record plus one read chunk.
package struct BufferedByteReader {
    private var source: any CaptureByteSource
    private var buffer: ByteBuffer
    private var reachedEnd = false
    private let chunkSize: Int
    /// Whether a refill starts a new buffer instead of compacting this one, so that records handed out may live on
    /// (each keeps its buffer alive) without the next read copying the whole buffer on write.
    private let startsFreshBuffers: Bool
    /// Buffers given up by ``startFreshBuffer(_:)``, some still referred to by records handed out.
    private var retired: [ByteBuffer] = []
    private static let retiredLimit = 48
    /// The file offset of the next unread byte.
    package private(set) var offset: UInt64 = 0

    /// Creates a reader over `source` that reads `chunkSize` bytes at a time; with `startsFreshBuffers`, each
    /// refill reads into a new buffer of about `chunkSize` bytes that starts with the unread bytes of the last.
    package init(source: any CaptureByteSource, chunkSize: Int = 64 * 1024, startsFreshBuffers: Bool = false) {
        self.source = source
        self.chunkSize = chunkSize
        self.startsFreshBuffers = startsFreshBuffers
        self.buffer = ByteBufferAllocator().buffer(capacity: chunkSize)
    }

    /// The number of bytes buffered and not yet taken.
    package var bufferedCount: Int { buffer.readableBytes }

    /// Buffers at least `count` bytes; returns false when the input ends first.
    package mutating func fill(_ count: Int) throws(CaptureError) -> Bool {
        while buffer.readableBytes < count && !reachedEnd {
            if startsFreshBuffers {
                if buffer.writableBytes < max(count - buffer.readableBytes, chunkSize / 2) { startFreshBuffer(count) }
            } else if buffer.readerIndex >= chunkSize || buffer.writableBytes < chunkSize / 2 {
                buffer.discardReadBytes()
            }
            let read = try readChunk()
            if read == 0 { reachedEnd = true }
        }
        return buffer.readableBytes >= count
    }

    /// Moves the unread bytes to a buffer with room for `count` bytes and half a chunk more: a retired one that
    /// nothing refers to any more, or a new one. Reusing them spares the page faults of fresh memory; the latest
    /// retired goes first, so that the few buffers in use stay in the processor's cache.
    private mutating func startFreshBuffer(_ count: Int) {
        let capacity = max(chunkSize, count, buffer.readableBytes + chunkSize / 2)
        var reusable: ByteBuffer?
        for index in retired.indices.reversed() where retired[index].capacity >= capacity {
            guard retired[index].modifyIfUniquelyOwned({ $0.clear() }) != nil else { continue }
            reusable = retired.remove(at: index)
            break
        }
        // Taken out of the optional, so that the buffer stays uniquely referenced and writing does not copy it.
        var fresh = reusable.take() ?? ByteBufferAllocator().buffer(capacity: capacity)
        fresh.writeBuffer(&buffer)
        swap(&buffer, &fresh)
        if retired.count < Self.retiredLimit { retired.append(fresh) }
    }

    private mutating func readChunk() throws(CaptureError) -> Int {
        var failure: CaptureError?
        var source = self.source
        self.source = InMemoryByteSource([])
        defer { self.source = source }
        let minimum = startsFreshBuffers ? 1 : chunkSize  // a fresh buffer has room enough
        let read = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: minimum) { pointer in
            do throws(CaptureError) {
                return try source.read(into: pointer)
            } catch {
                failure = error
                return 0
            }
        }
        if let failure { throw failure }
        return read
    }

    /// Reads an integer at `index` bytes past the current position without consuming it.
    package func peek<T: FixedWidthInteger>(at index: Int, _ endianness: Endianness, as: T.Type = T.self) -> T? {
        buffer.getInteger(at: buffer.readerIndex + index, endianness: endianness, as: T.self)
    }

    /// Reads a 32-bit integer at `index` bytes past the current position; ``fill(_:)`` must have succeeded for
    /// `index + 4` bytes. Reads straight from memory, for record headers.
    package func unsafePeek32(at index: Int, _ endianness: Endianness) -> UInt32 {
        buffer.withUnsafeReadableBytes { raw in
            let value = raw.loadUnaligned(fromByteOffset: index, as: UInt32.self)
            return endianness == .big ? UInt32(bigEndian: value) : UInt32(littleEndian: value)
        }
    }

    /// Consumes `count` buffered bytes without returning them; ``fill(_:)`` must have succeeded for `count`.
    package mutating func skip(_ count: Int) {
        offset += UInt64(count)
        buffer.moveReaderIndex(forwardBy: count)
    }

    /// Consumes `count` buffered bytes and returns them; ``fill(_:)`` must have succeeded for `count`.
    package mutating func take(_ count: Int) -> ByteBuffer {
        offset += UInt64(count)
        return buffer.readSlice(length: count)!
    }
}
