/// A short Python program (the standard library only: zlib) that decodes an 8-bit RGB or RGBA PNG
/// and prints, for each `#rrggbb` argument after the file, how many pixels have about that colour
/// (each channel within 24): how the report test sees that a chart really drew its lines.
enum PNGColourCount {
    static let script = #"""
        import struct, sys, zlib
        data = open(sys.argv[1], "rb").read()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
        pos, idat, width = 8, b"", 0
        while pos < len(data):
            length, kind = struct.unpack(">I4s", data[pos:pos + 8])
            body = data[pos + 8:pos + 8 + length]
            if kind == b"IHDR":
                width, height, depth, colour = struct.unpack(">IIBB", body[:10])
                assert depth == 8 and colour in (2, 6), "only 8-bit RGB or RGBA"
                channels = 3 if colour == 2 else 4
            elif kind == b"IDAT":
                idat += body
            pos += 12 + length
        raw = zlib.decompress(idat)
        stride = width * channels
        rows, previous, offset = [], bytearray(stride), 0
        for _ in range(height):
            kind, line = raw[offset], bytearray(raw[offset + 1:offset + 1 + stride])
            offset += 1 + stride
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b = previous[i]
                c = previous[i - channels] if i >= channels else 0
                if kind == 1: line[i] = (line[i] + a) & 255
                elif kind == 2: line[i] = (line[i] + b) & 255
                elif kind == 3: line[i] = (line[i] + (a + b) // 2) & 255
                elif kind == 4:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            rows.append(line)
            previous = line
        for colour in sys.argv[2:]:
            want = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
            count = 0
            for line in rows:
                for x in range(0, stride, channels):
                    if all(abs(line[x + k] - want[k]) <= 24 for k in range(3)):
                        count += 1
            print(colour, count)
        """#
}
