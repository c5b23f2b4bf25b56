/// The whole `--dump` pipeline behind one call: scan a capture, render each session as it ends, optionally
/// export its messages as .eml files, and finish with a summary. Memory stays bounded by the sessions open at
/// once, whatever the file's size.
///
/// ```swift
/// let summary = try CaptureDump.run(path: "milter.pcapng", format: .text) { print($0, terminator: "") }
/// ```
public enum CaptureDump {
    /// The output format.
    public enum Format: Hashable, Sendable {
        /// ``TranscriptRenderer``.
        case text
        /// ``JSONTranscriptRenderer``: one JSON object per line.
        case json
    }

    /// What a dump found.
    public struct Summary: Sendable {
        /// The scan's counts.
        public var statistics: CaptureStatistics
        /// Milter sessions rendered.
        public var sessions: Int
        /// Sessions with issues or undecodable frames.
        public var sessionsWithIssues: Int
        /// Messages written by `--export-eml`.
        public var exportedMessages: Int
    }

    /// An error of either the capture or the export.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// The capture could not be read.
        case capture(CaptureError)
        /// An .eml file could not be written.
        case export(EMLExportError)

        /// The underlying description.
        public var description: String {
            switch self {
            case .capture(let error): error.description
            case .export(let error): error.description
            }
        }
    }

    /// Dumps the capture at `path`, passing rendered text to `write` as it is produced, one session at a time.
    public static func run(
        path: String, options: MilterExtractionOptions = MilterExtractionOptions(), format: Format = .text,
        exportDirectory: String? = nil, write: (String) -> Void
    ) throws(Failure) -> Summary {
        try run(path: path, options: options, format: format, exportDirectory: exportDirectory, chunkSize: 0) {
            write(String(decoding: $0, as: UTF8.self))
        }
    }

    /// Dumps the capture at `path`, passing rendered UTF-8 to `writeBytes` in chunks of at least `chunkSize`
    /// bytes (the last may be shorter), each ending at the end of a session. The array is reused after the call.
    ///
    /// The capture is scanned on a thread of its own while this thread renders and writes.
    public static func run(
        path: String, options: MilterExtractionOptions = MilterExtractionOptions(), format: Format = .text,
        exportDirectory: String? = nil, chunkSize: Int, writeBytes: ([UInt8]) -> Void
    ) throws(Failure) -> Summary {
        var options = options
        options.defersFrameDecoding = true  // the rendering thread decodes, which evens out the two threads' work
        // A text dump without export keeps no frame past its line, so frames may be slices of the reader's buffer.
        options.sharesPacketBytes = format == .text && exportDirectory == nil
        let reader: CaptureReader
        do throws(CaptureError) {
            // Packets' bytes cross to the rendering thread in the pipeline's batches while this reader goes on.
            reader = try CaptureReader(path: path, limits: options.readerLimits, keepingPacketBytes: true)
        } catch {
            throw .capture(error)
        }
        return try run(
            scanner: MilterCaptureScanner(reader: reader, options: options), format: format,
            exportDirectory: exportDirectory, chunkSize: chunkSize, writeBytes: writeBytes)
    }

    /// Dumps what `scanner` reads, passing rendered text to `write` one session at a time.
    public static func run(
        scanner: MilterCaptureScanner, format: Format = .text, exportDirectory: String? = nil,
        write: (String) -> Void
    ) throws(Failure) -> Summary {
        try run(scanner: scanner, format: format, exportDirectory: exportDirectory, chunkSize: 0) {
            write(String(decoding: $0, as: UTF8.self))
        }
    }

    /// Dumps what `scanner` reads, passing rendered UTF-8 to `writeBytes` as ``run(path:options:format:exportDirectory:chunkSize:writeBytes:)`` does.
    public static func run(
        scanner: MilterCaptureScanner, format: Format = .text, exportDirectory: String? = nil, chunkSize: Int,
        writeBytes: ([UInt8]) -> Void
    ) throws(Failure) -> Summary {
        let (packets, reassembler, extractor) = scanner.split()
        let pipeline = ScanPipeline(scanner: packets)
        defer { pipeline.finish() }
        var sessions = SessionStage(reassembler: reassembler, extractor: extractor)
        var output = DumpOutput(format: format, chunkSize: chunkSize, exportDirectory: exportDirectory)
        if format == .text && exportDirectory == nil {
            return try streamText(
                pipeline, TextDumpStage(sessions: sessions, renderer: output.text), &output, writeBytes)
        }
        var collector = CapturedSessionCollector()
        collector.decodesDeferredFrames = true
        while true {
            let events: [MilterCaptureEvent]
            var statistics: CaptureStatistics?
            switch pipeline.next() {
            case .steps(var steps):
                events = sessions.events(of: &steps)
                pipeline.recycle(steps)
            case .end(.failure(let error)):
                try? output.padExportedNames(writeBytes)
                output.flush(writeBytes)
                throw .capture(error)
            case .end(.success(let scanned)):
                events = sessions.endEvents(lastPacket: scanned.packets)
                statistics = scanned
            }
            for event in events {
                if let session = collector.add(event) { try output.add(session, writeBytes) }
            }
            if let statistics {
                try output.padExportedNames(writeBytes)
                output.finish(sessions.complete(statistics), captureIssues: collector.captureIssues, writeBytes)
                return output.summary
            }
        }
    }

    /// A text dump without export: events are rendered as they come, with no session gathered whole.
    private static func streamText(
        _ pipeline: ScanPipeline, _ stage: TextDumpStage, _ output: inout DumpOutput,
        _ writeBytes: ([UInt8]) -> Void
    ) throws(Failure) -> Summary {
        var stage = stage
        while true {
            switch pipeline.next() {
            case .steps(var steps):
                stage.add(&steps, to: &output, writeBytes)
                pipeline.recycle(steps)
            case .end(.failure(let error)):
                output.flush(writeBytes)
                throw .capture(error)
            case .end(.success(let statistics)):
                stage.end(lastPacket: statistics.packets, to: &output, writeBytes)
                output.finish(stage.complete(statistics), captureIssues: stage.captureIssues, writeBytes)
                return output.summary
            }
        }
    }
}
