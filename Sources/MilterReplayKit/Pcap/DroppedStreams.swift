import MilterCapture

/// Streams a scan ignored because they held too much before they could be recognised as milter traffic (see
/// ``MilterExtractionOptions/maximumUnrecognisedBytesPerStream``): they may be milter sessions that are neither
/// dumped nor replayed, so a run that met them says so on standard error.
package struct DroppedStreams: Sendable, Hashable {
    /// The capture's path as given.
    package let path: String
    /// How many.
    package let count: Int

    /// The streams a scan dropped, or nil for none.
    package init?(path: String, _ statistics: CaptureStatistics) {
        guard statistics.droppedUnrecognisedStreams > 0 else { return nil }
        self.path = path
        count = statistics.droppedUnrecognisedStreams
    }

    /// The line for standard error.
    package var warning: String {
        let streams = count == 1 ? "1 stream" : "\(count) streams"
        return "milter-replay: warning: \(path): \(streams) not recognised within the memory limit, ignored "
            + "(issue unrecognisedStreamDropped in --dump's summary); milter sessions among them are not read\n"
    }
}
