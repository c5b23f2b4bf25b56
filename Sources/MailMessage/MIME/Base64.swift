/// Lenient base64 decoding (RFC 2045 section 6.8).
///
/// Characters outside the alphabet (line breaks, spaces, junk) are skipped. Padding ends the
/// current quantum without ending the data, so concatenated padded blocks decode too. A trailing
/// partial quantum yields the bytes it completes; a lone sixth bit group is dropped.
public enum Base64 {
    /// Decodes base64 text, skipping anything that is not base64.
    public static func decode(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count / 4 * 3 + 3)
        var accumulator: UInt32 = 0
        var count = 0
        text.withUnsafeBufferPointer { buffer in
            for byte in buffer {
                let value = table[Int(byte)]
                if value < 64 {
                    accumulator = accumulator << 6 | UInt32(value)
                    count += 1
                    if count == 4 {
                        output.append(UInt8(truncatingIfNeeded: accumulator >> 16))
                        output.append(UInt8(truncatingIfNeeded: accumulator >> 8))
                        output.append(UInt8(truncatingIfNeeded: accumulator))
                        accumulator = 0
                        count = 0
                    }
                } else if byte == ASCII.equals, count > 0 {
                    flush(&output, accumulator, count)
                    accumulator = 0
                    count = 0
                }
            }
        }
        flush(&output, accumulator, count)
        return output
    }

    /// Emits the bytes completed by a partial quantum of `count` sextets.
    private static func flush(_ output: inout [UInt8], _ accumulator: UInt32, _ count: Int) {
        switch count {
        case 2: output.append(UInt8(truncatingIfNeeded: accumulator >> 4))
        case 3:
            output.append(UInt8(truncatingIfNeeded: accumulator >> 10))
            output.append(UInt8(truncatingIfNeeded: accumulator >> 2))
        default: break
        }
    }

    /// Sextet values; 255 marks a byte outside the alphabet. Accepts the URL-safe alphabet too.
    private static let table: [UInt8] = {
        var table = [UInt8](repeating: 255, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()
}
