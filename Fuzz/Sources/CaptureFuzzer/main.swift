// Feeds arbitrary bytes to the capture pipeline as a file: the pcap/pcapng reader, link/IP/TCP decoding,
// TCP reassembly with small limits, milter session extraction with resynchronisation, then the text, JSON
// and .eml renderers for every session found. The same bytes are also decoded as one packet of each link
// type. Errors must describe themselves; a trap anywhere is a finding.
import FuzzDriver
import MilterCapture
import NIOCore

/// Small limits so that short inputs reach the limit paths.
let options = MilterExtractionOptions(
    maximumFrameLength: 8192, boundaryFinder: PlausibleFrameBoundaryFinder(maximumLength: 4096),
    maximumResynchronisationWindow: 2048,
    reassemblyLimits: TCPReassemblyLimits(
        maxBufferedBytesPerDirection: 4096, maxBufferedSegmentsPerDirection: 16, maxOpenStreams: 8,
        finishedStreamMemory: 8),
    readerLimits: CaptureReaderLimits(maxRecordBytes: 65536))

let linkTypes: [LinkType] = [.ethernet, .null, .loop, .linuxSLL, .linuxSLL2, .raw, .ipv4, .ipv6]

func scan(_ bytes: [UInt8]) {
    do throws(CaptureError) {
        var scanner = MilterCaptureScanner(
            reader: try CaptureReader(bytes: bytes, limits: options.readerLimits),
            options: options)
        var collector = CapturedSessionCollector()
        while let session = try scanner.nextSession(collector: &collector) {
            _ = TranscriptRenderer().render(session)
            _ = JSONTranscriptRenderer().render(session)
            _ = EMLExporter.messages(in: session)
        }
        _ = TranscriptRenderer().renderSummary(scanner.statistics, sessions: 0, captureIssues: collector.captureIssues)
    } catch {
        _ = error.description
    }
}

func decodeAsPackets(_ bytes: [UInt8]) {
    var buffer = ByteBuffer()
    buffer.writeBytes(bytes)
    for linkType in linkTypes {
        let packet = CapturePacket(
            number: 1, timestamp: CaptureTimestamp(seconds: 0, nanoseconds: 0),
            linkType: linkType, interfaceIndex: 0, originalLength: bytes.count + Int(bytes.first ?? 0),
            data: buffer, fileOffset: 0)
        _ = PacketDecoder.decode(packet)
    }
}

runFuzzer { bytes in
    scan(bytes)
    decodeAsPackets(bytes)
}
