import Foundation
import MilterCapture

/// `--pcap FILE --dump [--json] [--export-eml DIR]`: transcripts and .eml files, no milter needed.
enum PcapDump {
    /// Reads the capture; returns the exit code (0, or 2 when the capture cannot be read or written out).
    static func run(_ options: PcapOptions, json: Bool) -> Int32 {
        let path = options.pcap ?? ""
        var output = StandardOutputWriter()
        do throws(CaptureDump.Failure) {
            let summary = try CaptureDump.run(
                path: path, options: options.extractionOptions, format: json ? .json : .text,
                exportDirectory: options.exportEml, chunkSize: 1 << 20
            ) { bytes in
                if options.dump { output.write(bytes) }
            }
            if let failure = output.failure {
                FileHandle.standardError.write(Data("milter-replay: cannot write the dump: errno \(failure)\n".utf8))
                return ExitCodes.usage
            }
            if !options.dump {
                let exported = "exported \(summary.exportedMessages) messages from \(summary.sessions) sessions"
                FileHandle.standardOutput.write(Data("\(exported) to \(options.exportEml ?? "")\n".utf8))
            }
            return ExitCodes.success
        } catch {
            FileHandle.standardError.write(Data("milter-replay: \(path): \(error)\n".utf8))
            return ExitCodes.usage
        }
    }
}
