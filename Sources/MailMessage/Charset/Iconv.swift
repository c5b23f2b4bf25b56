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
    /// The UTF-8 bytes for `bytes` in `charset`, or nil when iconv does not know the charset.
    static func toUTF8(_ bytes: ArraySlice<UInt8>, from charset: String) -> [UInt8]? {
        IconvPool.shared.withConverter(from: charset) { convertAll(bytes, with: $0) }
    }

    private static func convertAll(_ bytes: ArraySlice<UInt8>, with handle: iconv_t) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: bytes.count * 4 + 16)
        var produced = 0
        var input = Array(bytes)
        input.withUnsafeMutableBufferPointer { inputBuffer in
            var consumed = 0
            while consumed < inputBuffer.count {
                let step = convert(handle, inputBuffer, from: consumed, into: &output, at: produced)
                consumed += step.consumed
                produced += step.produced
                if step.stalled {
                    // An invalid or truncated sequence: mark it and skip one byte.
                    if output.count - produced < 3 { output.append(contentsOf: [0, 0, 0]) }
                    output.replaceSubrange(produced..<produced + 3, with: [0xEF, 0xBF, 0xBD])
                    produced += 3
                    consumed += 1
                } else if step.outputFull {
                    output.append(contentsOf: repeatElement(0, count: output.count))
                }
            }
        }
        output.removeSubrange(produced...)
        return output
    }

    private struct Step {
        var consumed: Int
        var produced: Int
        var stalled: Bool
        var outputFull: Bool
    }

    private static func convert(
        _ handle: iconv_t?, _ input: UnsafeMutableBufferPointer<UInt8>, from start: Int,
        into output: inout [UInt8], at outputStart: Int
    ) -> Step {
        output.withUnsafeMutableBufferPointer { outputBuffer in
            var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(input.baseAddress! + start)
                .assumingMemoryBound(to: CChar.self)
            var inLeft = input.count - start
            var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(
                outputBuffer.baseAddress! + outputStart
            ).assumingMemoryBound(to: CChar.self)
            var outLeft = outputBuffer.count - outputStart
            let result = iconv(handle, &inPointer, &inLeft, &outPointer, &outLeft)
            let error = result == -1 ? errno : 0
            let consumed = input.count - start - inLeft
            let produced = outputBuffer.count - outputStart - outLeft
            return Step(
                consumed: consumed, produced: produced,
                stalled: error == EILSEQ || error == EINVAL || (error != 0 && error != E2BIG && consumed == 0),
                outputFull: error == E2BIG)
        }
    }
}
