/// Counts of what a scan met, for the summary line of a dump.
public struct CaptureStatistics: Hashable, Sendable {
    /// Packets read from the file.
    public var packets = 0
    /// Packets that carried TCP.
    public var tcpPackets = 0
    /// IP fragments met (not reassembled).
    public var fragments = 0
    /// Packets that could not be decoded down to TCP or IP.
    public var undecodablePackets = 0
    /// TCP streams that were not milter traffic.
    public var ignoredStreams = 0
    /// Of ``ignoredStreams``, those that look like milter traffic but start mid-stream, without the OPTNEG
    /// that identifies a milter stream: `--port` takes them.
    public var milterLikeIgnoredStreams = 0
    /// Of ``ignoredStreams``, those ignored because they held too much before they could be recognised (each has
    /// a ``CaptureIssue/Kind/unrecognisedStreamDropped(stream:bytes:)`` capture issue): they may be milter traffic.
    public var droppedUnrecognisedStreams = 0
    /// Where the file was cut short, if it ended inside a record or block (``CaptureReader/truncation``): the
    /// packets before it were read and counted.
    public var truncation: CaptureError?
}
