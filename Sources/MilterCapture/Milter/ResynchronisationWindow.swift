import NIOCore

/// Bytes held while searching for a frame boundary, with the packet each byte came from.
struct ResynchronisationWindow {
    private(set) var bytes = ByteBuffer()
    /// Where each delivered chunk starts in ``bytes``, with its packet, timestamp and stream offset.
    private var marks: [(start: Int, data: StreamData)] = []

    var count: Int { bytes.readableBytes }

    mutating func append(_ data: StreamData) {
        var copy = data.bytes
        marks.append((bytes.readableBytes, data))
        bytes.writeBuffer(&copy)
    }

    /// Drops the first `count` bytes.
    mutating func discard(_ count: Int) {
        guard count > 0 else { return }
        bytes.moveReaderIndex(forwardBy: count)
        let rebased = marks.compactMap { mark -> (start: Int, data: StreamData)? in
            let end = mark.start + mark.data.bytes.readableBytes
            guard end > count else { return nil }
            var data = mark.data
            let cut = max(0, count - mark.start)
            data.bytes.moveReaderIndex(forwardBy: cut)
            data.streamOffset += Int64(cut)
            return (max(0, mark.start - count), data)
        }
        marks = rebased
        bytes.discardReadBytes()
    }

    /// Empties the window and returns how many bytes it held.
    @discardableResult
    mutating func discardAll() -> Int {
        let count = bytes.readableBytes
        self = ResynchronisationWindow()
        return count
    }

    /// The chunks held, in order, for replay through the frame assembler.
    var chunks: [StreamData] { marks.map(\.data) }
}

extension FrameAssembler {
    /// Adds bytes to the search window and replays them as frames once a boundary is found. Bytes that would take
    /// the window past its limit make it drop what it holds first (see
    /// ``MilterExtractionOptions/maximumResynchronisationWindow``).
    mutating func resynchronise(adding data: StreamData?, isFinal: Bool) {
        if var data {
            let limit = max(1, options.maximumResynchronisationWindow)
            if window.count + data.bytes.readableBytes > limit {
                let cut = max(0, data.bytes.readableBytes - limit)
                dropResynchronisationWindow(detectedAt: data.packet, extra: cut, from: data.streamOffset)
                data.bytes.moveReaderIndex(forwardBy: cut)
                data.streamOffset += Int64(cut)
            }
            window.append(data)
        }
        let result = options.boundaryFinder.search(window.bytes, direction: direction, isFinal: isFinal)
        switch result {
        case .found(let offset):
            let firstPacket = window.chunks.first?.packet
            window.discard(offset)
            report(
                .resynchronised(skippedBytes: offset + skippedWhileSearching), packet: firstPacket,
                offset: window.chunks.first?.streamOffset)
            let chunks = window.chunks
            window = ResynchronisationWindow()
            mode = .synchronised
            skippedWhileSearching = 0
            markResynchronised()
            for chunk in chunks { receive(chunk) }
        case .undecided(let prefix):
            if prefix > 0 { skippedWhileSearching += prefix }
            window.discard(prefix)
        }
    }

    /// Drops the bytes held by the boundary search (and `extra` bytes about to be added, from stream offset
    /// `extraOffset`, not held), reported at `packet`; the search goes on after them. Returns the memory let go.
    @discardableResult
    mutating func dropResynchronisationWindow(
        detectedAt packet: Int?, extra: Int = 0, from extraOffset: Int64? = nil
    ) -> Int {
        guard case .resynchronising = mode, window.count + extra > 0 else { return 0 }
        let offset = window.chunks.first?.streamOffset ?? extraOffset
        let held = window.discardAll()
        skippedWhileSearching += held + extra
        report(.resynchronisationWindowDropped(bytes: held + extra), packet: packet, offset: offset)
        return held
    }
}
