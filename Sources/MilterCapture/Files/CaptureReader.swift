import NIOCore

/// Reads packets from a pcap or pcapng capture, one at a time, in constant memory.
///
/// ```swift
/// var reader = try CaptureReader(path: "capture.pcapng")
/// while let packet = try reader.next() {
///     print(packet.number, packet.linkType, packet.data.readableBytes)
/// }
/// ```
public struct CaptureReader {
    /// The container formats understood.
    public enum Format: Hashable, Sendable {
        /// libpcap's classic format.
        case pcap
        /// pcapng, as written by Wireshark and dumpcap.
        case pcapng
    }

    /// The format recognised from the file's magic number.
    public let format: Format
    private var records: any PacketRecordReader
    private var hasReadAPacket = false
    /// Where the file was cut short, once ``next()`` has returned nil because the file ended inside a record or
    /// block (tcpdump killed, a disk full, a copy still under way): the packets before it were read. A file cut
    /// before its first packet throws the truncation instead, since nothing could be read from it.
    public private(set) var truncation: CaptureError?

    /// Opens the capture file at `path`; it is read 1 MiB at a time, so that large captures take few system calls.
    public init(path: String, limits: CaptureReaderLimits = CaptureReaderLimits()) throws(CaptureError) {
        try self.init(source: try FileByteSource(path: path), limits: limits, chunkSize: 1 << 20)
    }

    /// Opens the capture file at `path` for a consumer that keeps packets' bytes (or slices of them) after reading
    /// the next packets: each read goes into a buffer of 256 KiB that nothing refers to any more, or a new one, so
    /// nothing kept is copied on the next write.
    package init(path: String, limits: CaptureReaderLimits, keepingPacketBytes: Bool) throws(CaptureError) {
        try self.init(
            source: try FileByteSource(path: path), limits: limits, chunkSize: keepingPacketBytes ? 1 << 18 : 1 << 20,
            startsFreshBuffers: keepingPacketBytes)
    }

    /// Reads a capture already in memory.
    public init(bytes: [UInt8], limits: CaptureReaderLimits = CaptureReaderLimits()) throws(CaptureError) {
        try self.init(source: InMemoryByteSource(bytes), limits: limits)
    }

    /// Reads a capture from any byte source, recognising its format by the first four bytes.
    public init(
        source: some CaptureByteSource, limits: CaptureReaderLimits = CaptureReaderLimits()
    ) throws(CaptureError) {
        try self.init(source: source, limits: limits, chunkSize: 64 * 1024)
    }

    private init(
        source: some CaptureByteSource, limits: CaptureReaderLimits, chunkSize: Int, startsFreshBuffers: Bool = false
    ) throws(CaptureError) {
        var reader = BufferedByteReader(source: source, chunkSize: chunkSize, startsFreshBuffers: startsFreshBuffers)
        do throws(CaptureError) {
            try reader.require(4, at: 0, "magic number")
        } catch {
            if reader.bufferedCount == 0 { throw CaptureError(.empty, at: 0, "no byte") }
            throw error
        }
        if reader.peek(at: 0, .big, as: UInt32.self) == PcapNGReader.sectionHeaderType {
            format = .pcapng
            records = PcapNGReader(reader: reader, limits: limits)
        } else {
            format = .pcap
            records = try PcapReader(reader: reader, limits: limits)
        }
    }

    /// The next packet in file order, or nil at the end of the file, or at a last record cut short
    /// (``truncation``). Anything else that cannot be read, such as a record over the limit, throws.
    public mutating func next() throws(CaptureError) -> CapturePacket? {
        if truncation != nil { return nil }
        do throws(CaptureError) {
            let packet = try records.next()
            if packet != nil { hasReadAPacket = true }
            return packet
        } catch {
            // The records are read in order, so a record that outruns the bytes is the last of the file.
            guard error.kind == .truncatedFile, hasReadAPacket else { throw error }
            truncation = error
            return nil
        }
    }
}
