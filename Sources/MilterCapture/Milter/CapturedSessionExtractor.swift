import NIOCore

/// Turns reassembled TCP streams into milter sessions: recognises milter streams, tells the MTA from the
/// milter, and cuts each direction into decoded frames.
public struct CapturedSessionExtractor {
    /// The options in force.
    public let options: MilterExtractionOptions
    private var streams: [StreamID: ExtractedStream] = [:]
    /// The stream of the latest event: consecutive events mostly name the same one.
    private var recent: ExtractedStream?
    /// Streams seen that were not milter traffic.
    public private(set) var ignoredStreamCount = 0
    /// Of those, the streams that start mid-stream with what looks like milter frames (no OPTNEG to tell).
    public private(set) var milterLikeIgnoredStreamCount = 0
    /// Of those, the streams ignored because they held too much before they could be recognised.
    public private(set) var droppedUnrecognisedStreamCount = 0
    private var classifications = ClassificationMemo()
    /// The first bytes of unrecognised streams classified so far (see ``ClassificationMemo/classifiedBytes``).
    var classifiedBytes: Int { classifications.classifiedBytes }
    /// The memory held by frames being received, over all streams.
    private(set) var unfinishedFrameBytes = 0
    /// The bytes held by frame boundary searches, over all streams.
    private(set) var resynchronisationBytes = 0
    /// The memory held by streams not yet recognised, over all streams.
    private(set) var unrecognisedBytes = 0

    /// Creates an extractor.
    public init(options: MilterExtractionOptions = MilterExtractionOptions()) {
        self.options = options
    }

    /// Handles one reassembly event, appending what it reveals to `output`.
    public mutating func handle(_ event: ReassemblyEvent, into output: inout [MilterCaptureEvent]) {
        switch event {
        case .opened(let info):
            let stream = ExtractedStream(info: info)
            streams[info.id] = stream
            recent = stream
            if let mtaDirection = portDecision(info) { stream.start(mtaDirection, by: .port, options, &output) }
        case .finished(let id):
            guard let stream = streams.removeValue(forKey: id) else { return }
            if recent === stream { recent = nil }
            unfinishedFrameBytes -= stream.unfinishedFrameBytes
            resynchronisationBytes -= stream.resynchronisationBytes
            unrecognisedBytes -= stream.unrecognisedBytes
            if case .milter = stream.state { output.append(.sessionEnded(id)) }
            if case .undecided = stream.state { ignoredStreamCount += 1 }
            if case .ignored = stream.state { ignoredStreamCount += 1 }
            if stream.looksLikeMilter { milterLikeIgnoredStreamCount += 1 }
            if stream.droppedUnrecognised { droppedUnrecognisedStreamCount += 1 }
        case .midstreamStart(let id, _, _), .data(let id, _, _), .gap(let id, _, _), .conflictingCopies(let id, _, _),
            .closed(let id, _, _):
            guard let stream = stream(id) else { return }
            let heldBefore = stream.unfinishedFrameBytes
            let searchedBefore = stream.resynchronisationBytes
            let unrecognisedBefore = stream.unrecognisedBytes
            stream.handle(event, options: options, classifications: &classifications, into: &output)
            unfinishedFrameBytes += stream.unfinishedFrameBytes - heldBefore
            resynchronisationBytes += stream.resynchronisationBytes - searchedBefore
            unrecognisedBytes += stream.unrecognisedBytes - unrecognisedBefore
            if unfinishedFrameBytes > options.maximumUnfinishedFrameBytesTotal {
                dropLargestFrames(detectedAt: event.packet, into: &output)
            }
            if resynchronisationBytes > options.maximumResynchronisationBytesTotal {
                dropLargestSearches(detectedAt: event.packet, into: &output)
            }
            if unrecognisedBytes > options.maximumUnrecognisedBytesTotal {
                dropLargestUnrecognised(detectedAt: event.packet, into: &output)
            }
        }
    }

    /// Over the budget of frame boundary searches: the direction holding the most, of any stream, drops what it
    /// holds until the budget holds again; the issues name `packet`, whose bytes passed the budget.
    private mutating func dropLargestSearches(detectedAt packet: Int?, into output: inout [MilterCaptureEvent]) {
        resynchronisationBytes = Self.dropLargest(
            held: resynchronisationBytes, limit: options.maximumResynchronisationBytesTotal, in: streams.values,
            bytes: { $0.resynchronisationBytes($1) },
            drop: { $0.dropResynchronisationWindow($1, detectedAt: packet, into: &$2) }, into: &output)
    }

    /// Over the budget of streams not yet recognised: the stream holding the most is ignored until the budget
    /// holds again; the issues name `packet`, whose bytes passed the budget.
    private mutating func dropLargestUnrecognised(detectedAt packet: Int?, into output: inout [MilterCaptureEvent]) {
        while unrecognisedBytes > options.maximumUnrecognisedBytesTotal {
            guard let largest = streams.values.max(by: { $0.unrecognisedBytes < $1.unrecognisedBytes }) else { return }
            let freed = largest.dropUnrecognised(detectedAt: packet, into: &output)
            guard freed > 0 else { return }
            unrecognisedBytes -= freed
        }
    }

    /// Over the budget of frames being received: the direction holding the largest, of any stream, lets go of its
    /// payload until the budget holds again; the issues name `packet`, whose bytes passed the budget.
    private mutating func dropLargestFrames(detectedAt packet: Int?, into output: inout [MilterCaptureEvent]) {
        unfinishedFrameBytes = Self.dropLargest(
            held: unfinishedFrameBytes, limit: options.maximumUnfinishedFrameBytesTotal, in: streams.values,
            bytes: { $0.unfinishedFrameBytes($1) },
            drop: { $0.dropUnfinishedFrame($1, detectedAt: packet, into: &$2) }, into: &output)
    }

    /// While `held` is over `limit`, the direction of `streams` holding the most `bytes` is made to `drop` them;
    /// returns what is held afterwards.
    private static func dropLargest(
        held: Int, limit: Int, in streams: some Collection<ExtractedStream>,
        bytes: (ExtractedStream, StreamDirection) -> Int,
        drop: (ExtractedStream, StreamDirection, inout [MilterCaptureEvent]) -> Int,
        into output: inout [MilterCaptureEvent]
    ) -> Int {
        var held = held
        while held > limit {
            var largest: (stream: ExtractedStream, direction: StreamDirection, bytes: Int)?
            for stream in streams {
                for direction in StreamDirection.allCases {
                    let count = bytes(stream, direction)
                    if count > (largest?.bytes ?? 0) { largest = (stream, direction, count) }
                }
            }
            guard let (stream, direction, _) = largest else { break }
            let freed = drop(stream, direction, &output)
            guard freed > 0 else { break }
            held -= freed
        }
        return held
    }

    /// For bytes that arrive at `timestamp` in `direction` of stream `id`: when the stream is milter traffic and
    /// that direction waits at a frame boundary, the bytes' sender, and the arrival is recorded. The caller may
    /// then describe the whole frames at the start of the bytes itself, and hands the rest to
    /// ``handle(_:into:)`` as `.data`. Otherwise nil: all the bytes go to `handle`.
    /// The stream comes along, for a caller that records further arrivals straight with
    /// ``ExtractedStream/takeWholeFrames(_:timestamp:)``.
    mutating func takeWholeFrames(
        _ id: StreamID, _ direction: StreamDirection, timestamp: CaptureTimestamp
    ) -> (sender: FrameDirection, stream: ExtractedStream)? {
        guard let stream = stream(id), let sender = stream.takeWholeFrames(direction, timestamp: timestamp) else {
            return nil
        }
        return (sender, stream)
    }

    private mutating func stream(_ id: StreamID) -> ExtractedStream? {
        if let recent, recent.info.id == id { return recent }
        guard let found = streams[id] else { return nil }
        recent = found
        return found
    }

    private func portDecision(_ info: TCPStreamInfo) -> StreamDirection? {
        if options.milterPorts.contains(info.server.port) { return .clientToServer }
        if options.milterPorts.contains(info.client.port) { return .serverToClient }
        return nil
    }
}

/// One stream's extraction state; a class so dictionary entries update in place.
final class ExtractedStream {
    enum State {
        /// Not recognised yet: the events so far, and the bytes of their data.
        case undecided(buffered: [ReassemblyEvent], bytes: Int)
        case milter(mtaDirection: StreamDirection)
        case ignored
    }

    let info: TCPStreamInfo
    var state: State = .undecided(buffered: [], bytes: 0)
    /// Whether the stream was ignored although it starts mid-stream with what looks like milter frames.
    private(set) var looksLikeMilter = false
    /// Whether the stream was ignored because it held too much before it could be recognised.
    private(set) var droppedUnrecognised = false
    /// The MTA's and the milter's frame assemblers, by ``StreamDirection`` raw value, once the stream is milter.
    private var assemblers: [FrameAssembler] = []
    private var lastTimestamp: CaptureTimestamp
    /// The memory held by the frames its assemblers are receiving.
    private(set) var unfinishedFrameBytes = 0
    /// The memory held by the events kept while the stream is not recognised (see
    /// ``MilterExtractionOptions/maximumUnrecognisedBytesPerStream``).
    private(set) var unrecognisedBytes = 0
    /// When the events kept before recognition can change the verdict.
    private var recognition = RecognitionProgress()
    /// What an event kept before recognition counts besides its data.
    static let keptEventCost = 64

    /// The bytes held by its frame boundary searches.
    var resynchronisationBytes: Int {
        assemblers.isEmpty ? 0 : assemblers[0].window.count + assemblers[1].window.count
    }

    init(info: TCPStreamInfo) {
        self.info = info
        self.lastTimestamp = info.firstTimestamp
    }

    func start(
        _ mtaDirection: StreamDirection, by identification: CapturedSessionInfo.Identification,
        _ options: MilterExtractionOptions, _ output: inout [MilterCaptureEvent]
    ) {
        let fromClient = mtaDirection == .clientToServer
        output.append(
            .sessionStarted(
                CapturedSessionInfo(
                    stream: info.id, mta: fromClient ? info.client : info.server,
                    milter: fromClient ? info.server : info.client,
                    handshakeSeen: info.handshakeSeen, firstPacket: info.firstPacket,
                    startTimestamp: info.firstTimestamp,
                    identifiedBy: identification)))
        let directions: [FrameDirection] = fromClient ? [.fromMTA, .fromMilter] : [.fromMilter, .fromMTA]
        state = .milter(mtaDirection: mtaDirection)
        assemblers = directions.map { FrameAssembler(stream: info.id, direction: $0, options: options) }
    }

    func handle(
        _ event: ReassemblyEvent, options: MilterExtractionOptions, classifications: inout ClassificationMemo,
        into output: inout [MilterCaptureEvent]
    ) {
        if case .undecided = state {
            return handleUndecided(event, options: options, classifications: &classifications, into: &output)
        }
        switch state {
        case .ignored, .undecided: return
        case .milter:
            guard let index = Self.assemblerIndex(for: event) else { return }
            // The assembler appends straight to `output`, lent to it for the call.
            let heldBefore = assemblers[index].unfinishedFrameBytes
            swap(&assemblers[index].output, &output)
            apply(event, to: &assemblers[index], options: options)
            swap(&assemblers[index].output, &output)
            unfinishedFrameBytes += assemblers[index].unfinishedFrameBytes - heldBefore
        }
    }

    /// Keeps `event` while the stream is not recognised, and decides on it when it can change the verdict.
    private func handleUndecided(
        _ event: ReassemblyEvent, options: MilterExtractionOptions, classifications: inout ClassificationMemo,
        into output: inout [MilterCaptureEvent]
    ) {
        // The events are taken out of the state (which holds no other reference to them then) and given back by
        // `keep`, so that they are appended to in place: a copy at each event made this quadratic.
        let taken = state
        state = .ignored
        guard case .undecided(var buffered, var bytes) = consume taken else { return }
        buffered.append(event)
        if case .data(_, _, let data) = event { bytes += data.bytes.readableBytes }
        let held = unrecognisedBytes
        unrecognisedBytes = 0
        let verdict: MilterStreamClassifier.Verdict =
            recognition.changesVerdict(event) ? verdict(buffered, &classifications) : .undecided
        decide(
            verdict, buffered: consume buffered, bytes: bytes, held: held, options: options,
            classifications: &classifications, into: &output)
    }

    /// The bytes held by `direction`'s frame boundary search.
    func resynchronisationBytes(_ direction: StreamDirection) -> Int {
        assemblers.isEmpty ? 0 : assemblers[direction.rawValue].window.count
    }

    /// Drops the bytes held by `direction`'s frame boundary search (see
    /// ``FrameAssembler/dropResynchronisationWindow(detectedAt:extra:from:)``); returns the memory let go.
    func dropResynchronisationWindow(
        _ direction: StreamDirection, detectedAt packet: Int?, into output: inout [MilterCaptureEvent]
    ) -> Int {
        guard !assemblers.isEmpty else { return 0 }
        swap(&assemblers[direction.rawValue].output, &output)
        let freed = assemblers[direction.rawValue].dropResynchronisationWindow(detectedAt: packet)
        swap(&assemblers[direction.rawValue].output, &output)
        return freed
    }

    /// Ignores the stream while it is not recognised, dropping what it holds, with a capture issue at `packet`;
    /// returns the memory let go.
    func dropUnrecognised(detectedAt packet: Int?, into output: inout [MilterCaptureEvent]) -> Int {
        guard case .undecided = state else { return 0 }
        let held = unrecognisedBytes
        drop(held: held, detectedAt: packet, into: &output)
        return held
    }

    private func drop(held: Int, detectedAt packet: Int?, into output: inout [MilterCaptureEvent]) {
        state = .ignored
        unrecognisedBytes = 0
        droppedUnrecognised = true
        output.append(
            .issue(nil, CaptureIssue(.unrecognisedStreamDropped(stream: info.id.index, bytes: held), packet: packet)))
    }

    /// Keeps the events of a stream not yet recognised, the latest one copied out of the read buffer (so the
    /// count is the memory held), within the stream's limit: the events held so far count `held`.
    private func keep(
        _ buffered: consuming [ReassemblyEvent], bytes: Int, held: Int, options: MilterExtractionOptions,
        into output: inout [MilterCaptureEvent]
    ) {
        let latest = buffered[buffered.count - 1]
        var cost = Self.keptEventCost
        if case .data(let id, let direction, var data) = latest {
            cost += data.bytes.readableBytes
            if held + cost <= options.maximumUnrecognisedBytesPerStream
                && data.bytes.storageCapacity > data.bytes.readableBytes
            {
                var copy = ByteBufferAllocator().buffer(capacity: data.bytes.readableBytes)
                copy.writeImmutableBuffer(data.bytes)
                data.bytes = copy
                buffered[buffered.count - 1] = .data(id, direction, data)
            }
        }
        guard held + cost <= options.maximumUnrecognisedBytesPerStream else {
            return drop(held: held + cost, detectedAt: latest.packet, into: &output)
        }
        unrecognisedBytes = held + cost
        state = .undecided(buffered: buffered, bytes: bytes)
    }

    /// The memory held by the frame that `direction` is receiving.
    func unfinishedFrameBytes(_ direction: StreamDirection) -> Int {
        assemblers.isEmpty ? 0 : assemblers[direction.rawValue].unfinishedFrameBytes
    }

    /// Lets go of the payload of the frame that `direction` is receiving (see
    /// ``FrameAssembler/dropUnfinishedFrame(detectedAt:)``); returns the memory let go.
    func dropUnfinishedFrame(
        _ direction: StreamDirection, detectedAt packet: Int?, into output: inout [MilterCaptureEvent]
    ) -> Int {
        guard !assemblers.isEmpty else { return 0 }
        swap(&assemblers[direction.rawValue].output, &output)
        let freed = assemblers[direction.rawValue].dropUnfinishedFrame(detectedAt: packet)
        swap(&assemblers[direction.rawValue].output, &output)
        unfinishedFrameBytes -= freed
        return freed
    }

    /// See ``CapturedSessionExtractor/takeWholeFrames(_:_:timestamp:)``.
    func takeWholeFrames(_ direction: StreamDirection, timestamp: CaptureTimestamp) -> FrameDirection? {
        // The assemblers exist once the stream is milter traffic: this spares a copy of `state`.
        guard !assemblers.isEmpty, let sender = assemblers[direction.rawValue].frameBoundarySender() else {
            return nil
        }
        lastTimestamp = timestamp
        return sender
    }

    private func decide(
        _ verdict: MilterStreamClassifier.Verdict, buffered: consuming [ReassemblyEvent], bytes: Int, held: Int,
        options: MilterExtractionOptions, classifications: inout ClassificationMemo,
        into output: inout [MilterCaptureEvent]
    ) {
        guard options.detectByOptionNegotiation else { return state = .ignored }
        switch verdict {
        case .undecided where bytes <= MilterStreamClassifier.maximumNegotiationLength + 5:
            keep(consume buffered, bytes: bytes, held: held, options: options, into: &output)
        case .milter(let mtaDirection):
            start(mtaDirection, by: .optionNegotiation, options, &output)
            for event in buffered {
                handle(event, options: options, classifications: &classifications, into: &output)
            }
        default:
            state = .ignored
            looksLikeMilter =
                !info.handshakeSeen && Self.firstData(buffered).map(MilterFrameShape.looksLikeFrames) == true
        }
    }

    /// The first data of the stream, in whichever direction sent first.
    private static func firstData(_ buffered: [ReassemblyEvent]) -> ByteBuffer? {
        for event in buffered {
            if case .data(_, _, let data) = event { return data.bytes }
        }
        return nil
    }

    /// Classifies on the data of whichever direction sent first; anything before it but a gap is irrelevant.
    /// An undecided verdict tells ``recognition`` what it waits for.
    private func verdict(
        _ buffered: [ReassemblyEvent], _ classifications: inout ClassificationMemo
    ) -> MilterStreamClassifier.Verdict {
        var first: StreamDirection?
        var bytes: ByteBuffer?  // the first data as it came, without a copy; later data is appended to a copy
        for event in buffered {
            switch event {
            case .data(_, let direction, var data) where first == nil || first == direction:
                first = direction
                if bytes == nil { bytes = data.bytes } else { bytes!.writeBuffer(&data.bytes) }
            case .gap(_, let direction, _) where first == direction || first == nil:
                return classifications.classify(firstBytes: bytes ?? ByteBuffer(), direction: direction, cut: true)
            default: continue
            }
        }
        guard let first, let bytes else {
            recognition.undecided(on: nil)
            return .undecided
        }
        let verdict = classifications.classify(firstBytes: bytes, direction: first)
        if verdict == .undecided { recognition.undecided(on: bytes) }
        return verdict
    }

    private func apply(
        _ event: ReassemblyEvent, to assembler: inout FrameAssembler, options: MilterExtractionOptions
    ) {
        switch event {
        case .data(_, _, let data):
            lastTimestamp = data.timestamp
            assembler.receive(data)
        case .gap(_, _, let gap):
            assembler.gap(gap, lastTimestamp: lastTimestamp)
        case .midstreamStart(_, _, let packet):
            assembler.report(.midstreamStart, packet: packet, offset: 0)
            assembler.loseBoundary(remaining: nil, policy: options.afterMidstreamStart, announce: false)
        case .conflictingCopies(_, _, let conflict):
            assembler.report(
                .conflictingCopies(bytes: conflict.length), packet: conflict.packet, offset: conflict.streamOffset)
        case .closed:
            assembler.finish()
        case .opened, .finished:
            break
        }
    }

    /// The assembler of the direction an event concerns.
    private static func assemblerIndex(for event: ReassemblyEvent) -> Int? {
        switch event {
        case .data(_, let direction, _), .gap(_, let direction, _), .midstreamStart(_, let direction, _),
            .conflictingCopies(_, let direction, _), .closed(_, let direction, _):
            direction.rawValue
        case .opened, .finished: nil
        }
    }
}
