import MailMessage
import MilterProtocol
import NIOCore
import _MilterSystem

/// Collects header fields and body chunks of one message within a byte budget.
///
/// The budget (the truncation limit) covers the header fields and the body together. Header
/// fields are always kept, up to the hard cap only, because the classifier needs them; the body
/// gets what is left, which may be nothing: `max(0, budget - headerBytes)`, never an underflow
/// (srmilter's bug).
struct MessageAssembler {
    private let budget: Int
    private let hardCap: Int
    private let leadingSpaceIncluded: Bool
    private(set) var headerFields: [RawHeaderField] = []
    private(set) var body: [UInt8] = []
    private(set) var isTruncated = false
    private var headerBytes = 0

    init(budget: Int, hardCap: Int, leadingSpaceIncluded: Bool) {
        self.budget = min(budget, hardCap)
        self.hardCap = hardCap
        self.leadingSpaceIncluded = leadingSpaceIncluded
    }

    /// The bytes the body may still take.
    var bodyRoom: Int { max(0, budget - headerBytes - body.count) }

    /// Whether the budget is spent, so further body chunks can be skipped.
    var isFull: Bool { bodyRoom == 0 }

    /// Adds a header field as the MTA sent it; the value goes back to its raw form (leading space, CRLF folds).
    mutating func add(_ field: HeaderField) {
        // The name, the colon, the value and CRLF; the space after the colon when the MTA took it off.
        let size = field.name.bytes.count + field.value.bytes.count + (leadingSpaceIncluded ? 3 : 4)
        guard headerBytes + size <= hardCap else {
            isTruncated = true
            return
        }
        headerBytes += size
        let bytes = field.value.bytes
        // Room for a usual message's fields at once, not grown 1, 2, 4, 8, 16.
        if headerFields.isEmpty { headerFields.reserveCapacity(16) }
        let folded = Self.containsLineFeed(bytes)
        guard !leadingSpaceIncluded || folded else {
            // The common case with HDR_LEADSPC: the value is already raw, and its storage is shared.
            headerFields.append(RawHeaderField(nameBytes: field.name.bytes, valueBytes: bytes))
            return
        }
        var value: [UInt8] = []
        value.reserveCapacity(bytes.count + 4)
        if !leadingSpaceIncluded { value.append(0x20) }
        if folded {
            for byte in bytes {
                if byte == 0x0A && value.last != 0x0D { value.append(0x0D) }
                value.append(byte)
            }
        } else {
            // A field without folding: copied whole.
            value.append(contentsOf: bytes)
        }
        headerFields.append(RawHeaderField(nameBytes: field.name.bytes, valueBytes: value))
    }

    /// Whether `bytes` hold a line feed: `memchr`, where `contains` went byte by byte (every header value is
    /// looked at).
    private static func containsLineFeed(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in raw.baseAddress.map { memchr($0, 0x0A, raw.count) != nil } ?? false }
    }

    /// Drops the last `count` bytes of the body (to make room in the memory budget); returns false,
    /// changing nothing, when the body is shorter.
    mutating func cutBody(by count: Int) -> Bool {
        guard count >= 0, count <= body.count else { return false }
        if count > 0 {
            body.removeLast(count)
            isTruncated = true
        }
        return true
    }

    /// Adds a body chunk, keeping at most `limit` bytes and only what fits.
    mutating func add(body chunk: ByteBuffer, keeping limit: Int = .max) {
        let room = min(bodyRoom, max(0, limit))
        if chunk.readableBytes > room { isTruncated = true }
        guard room > 0 else { return }
        body.append(contentsOf: chunk.readableBytesView.prefix(room))
    }
}
