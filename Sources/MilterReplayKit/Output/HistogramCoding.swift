import Histogram

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A latency histogram in HdrHistogram's standard "V2 compressed" encoding, as base64 text: the
/// form HdrHistogram's Java, C, Go and Python libraries read (`decodeFromCompressedByteBuffer`,
/// `hdr_log_decode`, `HdrHistogram.decode`), and the one their interval logs hold
/// (`HISTFAAA…`).
///
/// The encoding is a big-endian header (cookie `0x1c849314`, length) and a zlib stream of the V2
/// encoding: a 40-byte header (cookie `0x1c849313`, payload length, normalizing index offset,
/// significant digits, lowest discernible value, highest trackable value, the integer-to-double
/// ratio) and then the counts array, each count a ZigZag LEB128 number, a run of empty buckets
/// written as its length negated. hdrhistogram-swift 0.2.0 has no encoding, so this file writes
/// one; its zlib stream uses deflate's stored blocks (no compression), which every inflater reads.
/// ``decode(_:)`` reads what ``encode(_:)`` writes: zlib streams with stored blocks only.
package enum HistogramCoding {
    static let compressedCookie: UInt32 = 0x1c84_9314
    static let uncompressedCookie: UInt32 = 0x1c84_9313
    /// The largest decoded payload accepted, checked before buffering: 2^20 buckets of 9 bytes.
    static let maximumPayload = 9 << 20

    /// Why a histogram could not be read.
    package struct DecodingError: Error, CustomStringConvertible {
        package let description: String
    }

    /// `histogram` as base64 text.
    package static func encode(_ histogram: Histogram<UInt64>) -> String {
        let layout = BucketLayout(
            lowest: histogram.lowestDiscernibleValue, highest: histogram.highestTrackableValue,
            digits: Int(histogram.numberOfSignificantValueDigits.rawValue))
        var counts = [UInt64](repeating: 0, count: histogram.totalCount == 0 ? 0 : layout.index(of: histogram.max) + 1)
        for bucket in histogram.recordedValues() { counts[layout.index(of: bucket.value)] += UInt64(bucket.count) }
        var values: [Int64] = []
        var position = 0
        while position < counts.count {
            let count = counts[position]
            position += 1
            var zeros = 0
            if count == 0 {
                zeros = 1
                while position < counts.count, counts[position] == 0 {
                    zeros += 1
                    position += 1
                }
            }
            values.append(zeros > 1 ? -Int64(zeros) : Int64(count))
        }
        return encode(
            values: values, lowest: histogram.lowestDiscernibleValue, highest: histogram.highestTrackableValue,
            digits: UInt32(histogram.numberOfSignificantValueDigits.rawValue))
    }

    /// The encoding of a counts array as it is written: each value a count, or minus the length of a
    /// run of empty buckets. The tests build damaged encodings with it.
    package static func encode(values: [Int64], lowest: UInt64, highest: UInt64, digits: UInt32) -> String {
        var payload: [UInt8] = []
        for value in values { ZigZag.append(value, to: &payload) }
        var plain: [UInt8] = []
        BigEndian.append(uncompressedCookie, to: &plain)
        BigEndian.append(UInt32(payload.count), to: &plain)
        BigEndian.append(UInt32(0), to: &plain)
        BigEndian.append(digits, to: &plain)
        BigEndian.append(lowest, to: &plain)
        BigEndian.append(highest, to: &plain)
        BigEndian.append(Double(1).bitPattern, to: &plain)
        plain += payload
        let zlib = StoredZlib.wrap(plain)
        var out: [UInt8] = []
        BigEndian.append(compressedCookie, to: &out)
        BigEndian.append(UInt32(zlib.count), to: &out)
        out += zlib
        return Data(out).base64EncodedString()
    }

    /// The most values a decoded histogram may hold: 2^48, far past any run.
    package static let maximumTotalCount: Int64 = 1 << 48

    /// The histogram `text` encodes.
    package static func decode(_ text: String) throws(DecodingError) -> Histogram<UInt64> {
        guard let data = Data(base64Encoded: text) else { throw DecodingError(description: "not base64") }
        var reader = BigEndian.Reader(bytes: [UInt8](data))
        guard let cookie = reader.uint32(), cookie == compressedCookie, let length = reader.uint32(),
            Int(length) == reader.remaining
        else { throw DecodingError(description: "not an HdrHistogram V2 compressed encoding") }
        var plain = BigEndian.Reader(bytes: try StoredZlib.unwrap(reader.rest(), limit: maximumPayload + 40))
        guard plain.uint32() == uncompressedCookie, let payloadLength = plain.uint32(), plain.uint32() == 0,
            let digitsValue = plain.uint32(), let lowest = plain.uint64(), let highest = plain.uint64(),
            plain.uint64() == Double(1).bitPattern,
            Int(payloadLength) == plain.remaining
        else { throw DecodingError(description: "an HdrHistogram V2 header this reader does not support") }
        if let problem = BucketLayout.problem(lowest: lowest, highest: highest, digits: Int(digitsValue)) {
            throw DecodingError(
                description: "an unsupported layout (lowest \(lowest), highest \(highest), \(digitsValue) "
                    + "significant digits): \(problem)")
        }
        guard let digits = SignificantDigits(rawValue: Int8(digitsValue)) else {
            throw DecodingError(description: "\(digitsValue) significant digits")
        }
        let layout = BucketLayout(lowest: lowest, highest: highest, digits: Int(digits.rawValue))
        var histogram = Histogram<UInt64>(
            lowestDiscernibleValue: lowest, highestTrackableValue: highest, numberOfSignificantValueDigits: digits)
        var index = 0
        var total: Int64 = 0
        var payload = plain.rest()[...]
        while !payload.isEmpty {
            guard let value = ZigZag.read(&payload) else { throw DecodingError(description: "a truncated count") }
            if value < 0 {
                // A run of empty buckets; `Int64.min` has no negation, and a run past the last
                // bucket is caught below, so the index stops growing at `Int.max`.
                let zeros = value == .min ? Int.max : Int(-value)
                let (next, overflow) = index.addingReportingOverflow(zeros)
                index = overflow ? Int.max : next
                continue
            }
            guard index < layout.countsLength else { throw DecodingError(description: "a count past the last bucket") }
            // The histogram adds counts with wrapping arithmetic: a total past the limit is refused here.
            guard value <= maximumTotalCount - total else {
                throw DecodingError(description: "more than \(maximumTotalCount) values")
            }
            total += value
            // Each count at the highest value of its slot, as RunSummary records them.
            if value > 0, !histogram.record(layout.value(at: index + 1) - 1, count: UInt64(value)) {
                throw DecodingError(description: "a value the histogram cannot hold")
            }
            index += 1
        }
        return histogram
    }
}

/// HdrHistogram's bucket arithmetic (the same in every implementation): where a value is counted,
/// and the lowest value of each slot.
struct BucketLayout {
    let unitMagnitude: Int
    let subBucketHalfCountMagnitude: Int
    let subBucketHalfCount: Int
    let subBucketMask: UInt64
    let leadingZeroCountBase: Int
    let countsLength: Int

    /// The most slots a layout read from an encoding may have: 2^21 counts (16 MiB), room for five
    /// significant digits up to an hour in microseconds.
    static let maximumCountsLength = 1 << 21

    /// Why a histogram of these parameters cannot be built or read, or `nil` when it can: the
    /// lowest value at least 1 and at most half the highest, at most five significant digits (as
    /// HdrHistogram has), slots whose width and count fit in 63 bits (hdrhistogram-swift traps on
    /// more, and the arithmetic of ``init(lowest:highest:digits:)`` overflows), and at most
    /// ``maximumCountsLength`` slots.
    static func problem(lowest: UInt64, highest: UInt64, digits: Int) -> String? {
        guard lowest >= 1 else { return "the lowest value is 0" }
        guard lowest <= highest / 2 else { return "the highest value is less than twice the lowest" }
        guard (0...5).contains(digits) else { return "more than 5 significant digits" }
        // hdrhistogram-swift takes the magnitude of the lowest value from a floating-point
        // logarithm, which may round up by one: that one is counted here unless it is a power of two.
        let magnitude = 63 - lowest.leadingZeroBitCount + (lowest & (lowest - 1) == 0 ? 0 : 1)
        guard magnitude + halfCountMagnitude(digits: digits) <= 61 else {
            return "slots too wide for 64-bit values"
        }
        guard BucketLayout(lowest: lowest, highest: highest, digits: digits).countsLength <= maximumCountsLength else {
            return "more than \(maximumCountsLength) slots"
        }
        return nil
    }

    /// The magnitude of half the number of slots in a bucket, for `digits` significant digits.
    private static func halfCountMagnitude(digits: Int) -> Int {
        var largestSingleUnit: UInt64 = 2
        for _ in 0..<digits { largestSingleUnit *= 10 }
        return max(64 - (largestSingleUnit - 1).leadingZeroBitCount, 1) - 1
    }

    /// The layout of a histogram of these parameters, which must be valid (``problem(lowest:highest:digits:)``).
    init(lowest: UInt64, highest: UInt64, digits: Int) {
        unitMagnitude = 63 - lowest.leadingZeroBitCount
        subBucketHalfCountMagnitude = Self.halfCountMagnitude(digits: digits)
        let subBucketCount = 1 << (subBucketHalfCountMagnitude + 1)
        subBucketHalfCount = subBucketCount / 2
        subBucketMask = UInt64(subBucketCount - 1) << UInt64(unitMagnitude)
        leadingZeroCountBase = 64 - unitMagnitude - subBucketHalfCountMagnitude - 1
        var smallestUntrackable = UInt64(subBucketCount) << UInt64(unitMagnitude)
        var buckets = 1
        while smallestUntrackable <= highest {
            if smallestUntrackable > UInt64(Int64.max) / 2 {
                buckets += 1
                break
            }
            smallestUntrackable <<= 1
            buckets += 1
        }
        countsLength = (buckets + 1) * subBucketHalfCount
    }

    /// The slot `value` is counted in.
    func index(of value: UInt64) -> Int {
        let bucket = leadingZeroCountBase - (value | subBucketMask).leadingZeroBitCount
        let subBucket = Int(value >> UInt64(bucket + unitMagnitude))
        return ((bucket + 1) << subBucketHalfCountMagnitude) + (subBucket - subBucketHalfCount)
    }

    /// The lowest value counted in slot `index`.
    func value(at index: Int) -> UInt64 {
        var bucket = (index >> subBucketHalfCountMagnitude) - 1
        var subBucket = (index & (subBucketHalfCount - 1)) + subBucketHalfCount
        if bucket < 0 {
            subBucket -= subBucketHalfCount
            bucket = 0
        }
        return UInt64(subBucket) << UInt64(bucket + unitMagnitude)
    }
}
