#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Converts bytes in a named charset to UTF-8 with the C library's iconv.
///
/// Invalid sequences become U+FFFD and conversion continues, so the output is always
/// proportional to the input.
enum Iconv {
    /// The UTF-8 bytes for `bytes` in `charset`, or nil when iconv does not know the charset. Each of `skipping`
    /// (ranges of `bytes`, in order) becomes one U+FFFD, and the conversion state goes on unchanged after it.
    static func toUTF8(_ bytes: ArraySlice<UInt8>, from charset: String, skipping: [Range<Int>] = []) -> [UInt8]? {
        IconvPool.shared.withConverter(from: charset) { convertAll(bytes, with: $0, skipping: skipping) }
    }

    private static func convertAll(_ bytes: ArraySlice<UInt8>, with handle: iconv_t, skipping: [Range<Int>]) -> [UInt8]
    {
        var output = [UInt8](repeating: 0, count: bytes.count * 4 + 16)
        var produced = 0
        var input = Array(bytes)
        let stops = skipping.map { ($0.lowerBound - bytes.startIndex)..<($0.upperBound - bytes.startIndex) }
        input.withUnsafeMutableBufferPointer { inputBuffer in
            var consumed = 0
            for stop in stops + [inputBuffer.count..<inputBuffer.count] {
                while consumed < stop.lowerBound {
                    let step = convert(
                        handle, inputBuffer, from: consumed, to: stop.lowerBound, into: &output, at: produced)
                    consumed += step.consumed
                    produced += step.produced
                    if step.stalled {
                        // An invalid or truncated sequence: mark it and skip one byte.
                        appendReplacement(to: &output, at: &produced)
                        consumed += 1
                    } else if step.outputFull {
                        output.append(contentsOf: repeatElement(0, count: output.count))
                    }
                }
                if !stop.isEmpty {
                    appendReplacement(to: &output, at: &produced)
                    consumed = stop.upperBound
                }
            }
        }
        output.removeSubrange(produced...)
        return output
    }

    private static func appendReplacement(to output: inout [UInt8], at produced: inout Int) {
        if output.count - produced < 3 { output.append(contentsOf: [0, 0, 0]) }
        output.replaceSubrange(produced..<produced + 3, with: [0xEF, 0xBF, 0xBD])
        produced += 3
    }

    private struct Step {
        var consumed: Int
        var produced: Int
        var stalled: Bool
        var outputFull: Bool
    }

    private static func convert(
        _ handle: iconv_t?, _ input: UnsafeMutableBufferPointer<UInt8>, from start: Int, to end: Int,
        into output: inout [UInt8], at outputStart: Int
    ) -> Step {
        output.withUnsafeMutableBufferPointer { outputBuffer in
            var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(input.baseAddress! + start)
                .assumingMemoryBound(to: CChar.self)
            var inLeft = end - start
            var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(
                outputBuffer.baseAddress! + outputStart
            ).assumingMemoryBound(to: CChar.self)
            var outLeft = outputBuffer.count - outputStart
            let result = iconv(handle, &inPointer, &inLeft, &outPointer, &outLeft)
            let error = result == -1 ? errno : 0
            let consumed = end - start - inLeft
            let produced = outputBuffer.count - outputStart - outLeft
            return Step(
                consumed: consumed, produced: produced,
                stalled: error == EILSEQ || error == EINVAL || (error != 0 && error != E2BIG && consumed == 0),
                outputFull: error == E2BIG)
        }
    }
}
