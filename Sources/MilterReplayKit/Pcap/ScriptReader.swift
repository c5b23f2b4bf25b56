import MilterCapture

/// Reads a capture's milter sessions one by one as replay scripts; memory is bounded by the
/// sessions open at once in the capture, not by its size.
package struct ScriptReader {
    private let path: String
    private var scanner: MilterCaptureScanner
    private var collector = CapturedSessionCollector()

    /// Opens the capture at `path`.
    package init(path: String, options: MilterExtractionOptions) throws(PcapLoadError) {
        self.path = path
        do throws(CaptureError) {
            scanner = MilterCaptureScanner(
                reader: try CaptureReader(path: path, limits: options.readerLimits), options: options)
        } catch {
            throw PcapLoadError(description: error.said(path: path))
        }
    }

    /// The next session in the order sessions end, or nil at the end of the capture.
    package mutating func next() throws(PcapLoadError) -> (script: Result<ReplayScript, NotReplayable>, bytes: Int)? {
        let session: CapturedSession?
        do throws(CaptureError) { session = try scanner.nextSession(collector: &collector) } catch {
            throw PcapLoadError(description: error.said(path: path))
        }
        guard let session else { return nil }
        let script = ReplayScript.make(session)
        // The frames encoded once for sending again hold about as much as the payload.
        let frameBytes = (try? script.get())?.steps.reduce(0) { $0 + ($1.frames?.byteCount ?? 0) } ?? 0
        return (script, session.frames.reduce(frameBytes) { $0 + $1.frame.payload.readableBytes })
    }

    /// Streams read so far that look like milter traffic but were not taken: the capture starts mid-stream.
    package var untakenStreams: Int { scanner.statistics.milterLikeIgnoredStreams }

    /// Where the capture was cut short, once read to its end; nil when it ended cleanly.
    var cut: CaptureCut? { CaptureCut(path: path, scanner.statistics) }

    /// The streams read so far that were ignored for holding too much before they could be recognised.
    var droppedStreams: DroppedStreams? { DroppedStreams(path: path, scanner.statistics) }

    /// Every session, held in memory (for `--repeat` and `--duration`), up to `maximumBytes` of payload
    /// and of the frames encoded from it (``RecordedStep/frames``).
    package static func loadAll(
        path: String, options: MilterExtractionOptions, maximumBytes: Int = 1 << 30
    ) throws(PcapLoadError) -> [Result<ReplayScript, NotReplayable>] {
        try load(path: path, options: options, maximumBytes: maximumBytes).scripts
    }

    /// ``loadAll(path:options:maximumBytes:)``, with the count of streams not taken (``untakenStreams``) and where
    /// the capture was cut short (``cut``).
    package static func load(
        path: String, options: MilterExtractionOptions, maximumBytes: Int = 1 << 30
    ) throws(PcapLoadError) -> (
        scripts: [Result<ReplayScript, NotReplayable>], untakenStreams: Int, cut: CaptureCut?,
        droppedStreams: DroppedStreams?
    ) {
        var reader = try ScriptReader(path: path, options: options)
        var scripts: [Result<ReplayScript, NotReplayable>] = []
        var total = 0
        while let (script, bytes) = try reader.next() {
            total += bytes
            guard total <= maximumBytes else {
                throw PcapLoadError(
                    description: "\(path): its milter sessions hold over \(maximumBytes >> 20) MiB, too much to "
                        + "keep for --repeat or --duration; replay it once, or in parts (editcap -c splits a capture)")
            }
            scripts.append(script)
        }
        return (scripts, reader.untakenStreams, reader.cut, reader.droppedStreams)
    }
}

/// Why a capture could not be read for replay.
package struct PcapLoadError: Error, Sendable, CustomStringConvertible {
    /// The reason in words.
    package let description: String
}
