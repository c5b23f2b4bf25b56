import MilterCapture

/// Reads every milter session of a capture into replay scripts. Scripts are kept in memory (a
/// replay may repeat them), so their payload bytes are bounded before they are kept.
struct PcapSessionLoader {
    /// The most payload bytes held in scripts: 1 GiB.
    static let defaultMaximumBytes = 1 << 30

    /// How streams are found.
    let options: MilterExtractionOptions
    /// The payload budget.
    var maximumBytes = Self.defaultMaximumBytes

    /// The sessions of the capture at `path`, in the order they ended, each replayable or not.
    func load(path: String) throws(PcapLoadError) -> [Result<ReplayScript, NotReplayable>] {
        let reader: CaptureReader
        do throws(CaptureError) { reader = try CaptureReader(path: path, limits: options.readerLimits) } catch {
            throw PcapLoadError(description: "\(path): \(error)")
        }
        var scanner = MilterCaptureScanner(reader: reader, options: options)
        var collector = CapturedSessionCollector()
        var scripts: [Result<ReplayScript, NotReplayable>] = []
        var bytes = 0
        while true {
            let next: CapturedSession?
            do throws(CaptureError) { next = try scanner.nextSession(collector: &collector) } catch {
                throw PcapLoadError(description: "\(path): \(error)")
            }
            guard let session = next else { break }
            bytes += session.frames.reduce(0) { $0 + $1.frame.payload.readableBytes }
            guard bytes <= maximumBytes else {
                throw PcapLoadError(
                    description: "\(path): its milter sessions hold over \(maximumBytes >> 20) MiB; "
                        + "replay it in parts (editcap -c splits a capture)")
            }
            scripts.append(ReplayScript.make(session))
        }
        return scripts
    }
}

/// Why a capture could not be loaded for replay.
struct PcapLoadError: Error, Sendable, CustomStringConvertible {
    /// The reason in words.
    let description: String
}
