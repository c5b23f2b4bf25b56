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

    /// Dumps the capture at `path`, passing rendered text to `write` as it is produced.
    public static func run(
        path: String, options: MilterExtractionOptions = MilterExtractionOptions(), format: Format = .text,
        exportDirectory: String? = nil, write: (String) -> Void
    ) throws(Failure) -> Summary {
        let reader: CaptureReader
        do throws(CaptureError) { reader = try CaptureReader(path: path, limits: options.readerLimits) } catch {
            throw .capture(error)
        }
        return try run(
            scanner: MilterCaptureScanner(reader: reader, options: options), format: format,
            exportDirectory: exportDirectory, write: write)
    }

    /// Dumps what `scanner` reads.
    public static func run(
        scanner: MilterCaptureScanner, format: Format = .text, exportDirectory: String? = nil,
        write: (String) -> Void
    ) throws(Failure) -> Summary {
        var scanner = scanner
        var collector = CapturedSessionCollector()
        var summary = Summary(statistics: CaptureStatistics(), sessions: 0, sessionsWithIssues: 0, exportedMessages: 0)
        let text = TranscriptRenderer()
        let json = JSONTranscriptRenderer()
        while true {
            let next: CapturedSession?
            do throws(CaptureError) { next = try scanner.nextSession(collector: &collector) } catch {
                throw .capture(error)
            }
            guard let session = next else { break }
            summary.sessions += 1
            if !session.isClean { summary.sessionsWithIssues += 1 }
            write(format == .text ? text.render(session) : json.render(session))
            if let exportDirectory {
                let messages = EMLExporter.messages(in: session)
                do throws(EMLExportError) { try EMLExporter.write(messages, to: exportDirectory) } catch {
                    throw .export(error)
                }
                summary.exportedMessages += messages.count
            }
        }
        summary.statistics = scanner.statistics
        if format == .text {
            write(
                text.renderSummary(
                    scanner.statistics, sessions: summary.sessions, captureIssues: collector.captureIssues))
        }
        return summary
    }
}
