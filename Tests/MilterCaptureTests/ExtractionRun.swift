@testable import MilterCapture

/// A capture run through the stream scanner and an extractor, as `--dump` and `--pcap` do it, with the sessions
/// collected and the highest figure `held` gave after each batch of steps: the budget tests check that peak.
struct ExtractionRun {
    var sessions: [CapturedSession] = []
    var collector = CapturedSessionCollector()
    var peak = 0

    init(_ bytes: [UInt8], _ extractor: inout CapturedSessionExtractor, held: (CapturedSessionExtractor) -> Int) throws
    {
        var streams = StreamScanner(reader: try CaptureReader(bytes: bytes), limits: .init())
        var steps = StreamSteps()
        var events: [MilterCaptureEvent] = []
        while try streams.nextSteps(into: &steps) {
            extractor.handle(steps, into: &events)
            steps.removeAll()
            peak = max(peak, held(extractor))
            for event in events { if let session = collector.add(event) { sessions.append(session) } }
            events.removeAll()
        }
    }
}
