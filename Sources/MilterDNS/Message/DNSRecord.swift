/// A resource record from a response.
public struct DNSRecord: Hashable, Sendable {
    /// The record data, decoded for the types this client reads.
    public enum Data: Hashable, Sendable {
        /// An A record: 4 address bytes.
        case a([UInt8])
        /// An AAAA record: 16 address bytes.
        case aaaa([UInt8])
        /// A TXT record: its character strings, as bytes.
        case txt([[UInt8]])
        /// A CNAME record: the canonical name.
        case cname(String)
        /// Any other type, undecoded.
        case other([UInt8])
    }

    /// The owner name.
    public var name: String
    /// The type.
    public var type: DNSRecordType
    /// The class (1 for IN).
    public var recordClass: UInt16
    /// Seconds the record may be cached.
    public var ttl: UInt32
    /// The data.
    public var data: Data

    /// Creates a record.
    public init(name: String, type: DNSRecordType, recordClass: UInt16 = 1, ttl: UInt32, data: Data) {
        self.name = name
        self.type = type
        self.recordClass = recordClass
        self.ttl = ttl
        self.data = data
    }
}

extension DNSByteReader {
    /// The smallest record: a root name (1), type, class, TTL and data length (10).
    static let minimumRecordLength = 11

    mutating func readRecord() throws(DNSError) -> DNSRecord {
        let name = try readName()
        let type = DNSRecordType(rawValue: try readUInt16())
        let recordClass = try readUInt16()
        let ttl = try readUInt32()
        let length = Int(try readUInt16())
        let start = offset
        let rdata = try readBytes(length)
        let data: DNSRecord.Data
        switch type {
        case .a, .aaaa:
            guard rdata.count == (type == .a ? 4 : 16) else { throw DNSError(.badRecordLength, offset: start) }
            data = type == .a ? .a(Array(rdata)) : .aaaa(Array(rdata))
        case .txt:
            data = .txt(try Self.characterStrings(rdata, at: start))
        case .cname:
            // The name may point back into the message (pointers only go backwards, so the bytes up
            // to the data's end suffice), but its own bytes must fill the data exactly.
            var inner = DNSByteReader(Array(bytes[..<(start + length)]), offset: start)
            guard let name = try? inner.readName(), inner.offset == start + length else {
                throw DNSError(.badRecordLength, offset: start)
            }
            data = .cname(name)
        default:
            data = .other(Array(rdata))
        }
        return DNSRecord(name: name, type: type, recordClass: recordClass, ttl: ttl, data: data)
    }

    private static func characterStrings(_ rdata: ArraySlice<UInt8>, at start: Int) throws(DNSError) -> [[UInt8]] {
        var reader = DNSByteReader(Array(rdata))
        var strings: [[UInt8]] = []
        while reader.remaining > 0 {
            let length = Int(try reader.readUInt8())
            guard reader.remaining >= length else { throw DNSError(.badRecordLength, offset: start + reader.offset) }
            strings.append(Array(try reader.readBytes(length)))
        }
        return strings
    }
}
