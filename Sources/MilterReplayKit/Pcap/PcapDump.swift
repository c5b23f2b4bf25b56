import MilterCapture
import _MilterSystem

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `--pcap FILE --dump [--json] [--export-eml DIR]`: transcripts and .eml files, no milter needed.
public enum PcapDump {
    /// Reads the capture; returns the exit code (0, or 2 when the capture cannot be read or written out or holds no
    /// milter session). A capture cut short in its last record is a warning on standard error: the packets before
    /// the cut are used. With `--json` the last line is a summary object (``DumpSummary``).
    public static func run(_ options: PcapDumpRequest) -> Int32 {
        let path = options.pcap
        if let directory = options.exportEml,
            let problem = OutputPath.problem(directory: directory, option: "--export-eml")
        {
            FileDescriptorWriter.standardError("milter-replay: \(problem)\n")
            return ExitCodes.usage
        }
        do throws(CaptureDump.Failure) {
            let summary = try CaptureDump.run(
                path: path, options: options.extractionOptions, format: options.json ? .json : .text,
                exportDirectory: options.exportEml, chunkSize: 1 << 20
            ) { bytes in
                if options.dump { StandardOutput.write(bytes) }
            }
            if let cut = CaptureCut(path: path, summary.statistics) {
                FileDescriptorWriter.standardError(cut.warning)
            }
            if let dropped = DroppedStreams(path: path, summary.statistics) {
                FileDescriptorWriter.standardError(dropped.warning)
            }
            // No milter session is a usage error, as for replay: a capture of other traffic, or one that starts in
            // the middle of its milter streams (the hint names --port).
            let noSessions = DumpSummary.noSessions(summary, path: path)
            let code = noSessions == nil ? ExitCodes.success : ExitCodes.usage
            if options.dump && options.json {
                let line = JSONReport.encode(DumpSummary(summary, exported: options.exportEml != nil, exitCode: code))
                StandardOutput.write(Array((line + "\n").utf8))
            }
            // Said by the command's end (StandardOutput.problem), once for all output.
            if StandardOutput.failure != nil { return ExitCodes.usage }
            if !options.dump {
                let exported = "exported \(summary.exportedMessages) messages from \(summary.sessions) sessions"
                FileDescriptorWriter.standardOutput("\(exported) to \(options.exportEml ?? "")\n")
            }
            if let noSessions { FileDescriptorWriter.standardError("milter-replay: \(noSessions)\n") }
            return code
        } catch {
            let text = if case .capture(let error) = error { error.said(path: path) } else { "\(path): \(error)" }
            FileDescriptorWriter.standardError("milter-replay: \(text)\n")
            return ExitCodes.usage
        }
    }
}
