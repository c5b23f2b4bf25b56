import MailMessage
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

@testable import MilterClient

/// What the exchange records keep is bounded while they are made and when they are kept: a milter
/// that floods replies, or answers each message with megabytes of modifications, must not make
/// the client keep them (`ExchangeRecorder`, `ExchangeMemoStore`).
@Suite struct ExchangeRecordBoundsTests {
    static func frames(_ count: Int) -> ByteBuffer { ByteBuffer(repeating: 0x41, count: count) }

    @Test func aRecorderKeepsWhatItIsAnsweredWithinItsBounds() {
        var recorder = ExchangeRecorder(after: .start, queueID: [], keepsSegments: true)
        recorder.enqueued(Self.frames(100))
        for _ in 0..<10 { recorder.received(.reply(.progress), timeout: .seconds(1)) }
        recorder.received(.reply(.accept), timeout: .seconds(1))
        #expect(recorder.replayable)
        #expect(recorder.segments.count == 1)
        #expect(recorder.segments.first?.expected.count == 11)
    }

    /// A PROGRESS flood at end of message: the recorder stops keeping at its bound on replies to one
    /// write, drops what it kept, and the exchange cannot be sent again from it. The digest goes on.
    @Test func aRecorderStopsKeepingAFloodOfReplies() {
        var recorder = ExchangeRecorder(after: .start, queueID: [], keepsSegments: true)
        recorder.enqueued(Self.frames(100))
        for _ in 0..<(10 * ExchangeRecorder.maximumRepliesPerSegment) {
            recorder.received(.reply(.progress), timeout: .seconds(1))
        }
        recorder.received(.reply(.accept), timeout: .seconds(1))
        #expect(!recorder.replayable)
        #expect(recorder.digestible)
        #expect(!recorder.keepsSegments)
        #expect(recorder.segments.isEmpty)
        #expect(recorder.bytesKept == 0)
        // Nothing more is kept after it either.
        recorder.enqueued(Self.frames(100))
        recorder.received(.reply(.accept), timeout: .seconds(1))
        #expect(recorder.segments.isEmpty)
        #expect(recorder.takePending().readableBytes == 0)
    }

    /// Frames and replies past the recorder's bytes: it stops keeping and holds nothing.
    @Test func aRecorderStopsKeepingPastItsBytes() {
        var recorder = ExchangeRecorder(after: .start, queueID: [], keepsSegments: true, maximumBytes: 10_000)
        recorder.enqueued(Self.frames(1000))
        let header = MilterReply.addHeader(
            HeaderField(name: MilterString("X-Big"), value: MilterString(String(repeating: "v", count: 4000))))
        recorder.received(.reply(header), timeout: .seconds(1))
        #expect(recorder.replayable && recorder.segments.count == 1)
        recorder.received(.reply(header), timeout: .seconds(1))
        #expect(recorder.replayable && recorder.segments.first?.expected.count == 2)
        recorder.received(.reply(header), timeout: .seconds(1))
        #expect(!recorder.replayable)
        #expect(recorder.segments.isEmpty)
        // Frames past the bound, before any reply, are dropped too.
        var framesOnly = ExchangeRecorder(after: .start, queueID: [], keepsSegments: true, maximumBytes: 10_000)
        framesOnly.enqueued(Self.frames(6000))
        framesOnly.enqueued(Self.frames(6000))
        #expect(!framesOnly.replayable)
        #expect(framesOnly.takePending().readableBytes == 0)
    }

    /// Through a milter: a PROGRESS flood answers every end of message. No exchange is kept, and
    /// the results are the machine's.
    @Test func aFloodOfProgressIsNotKept() async throws {
        let flood = [MilterReply](repeating: .progress, count: 2 * ExchangeRecorder.maximumRepliesPerSegment)
        let store = try await ExchangeReuseTests.expectSameAsMachine {
            Scripts.wellBehaved(endOfMessage: [.together(flood + [.accept])])
        }
        #expect(store.count == 0)
        #expect(store.outcomes.reused == 0)
        // The greeting is kept and reused all the same.
        #expect(store.greetingOutcomes.reused == 2)
    }

    static let bigHeader = MilterReply.addHeader(
        HeaderField(name: MilterString("X-Big"), value: MilterString(String(repeating: "v", count: 100_000))))

    /// A store of 64 KiB: an exchange answered with a 100 kB header passes it and is not kept; the
    /// greeting, small, is. The results are the machine's.
    @Test func anExchangeOverTheStoresBytesIsNotKept() async throws {
        let store = ExchangeMemoStore(maximumBytes: 64 << 10)
        let script = { Scripts.wellBehaved(endOfMessage: [.reply(Self.bigHeader), .reply(.accept)]) }
        let reused = try await ExchangeReuseTests.run(script(), memos: store)
        let judged = try await ExchangeReuseTests.run(script(), memos: nil)
        #expect(reused.outcomes == judged.outcomes)
        #expect(store.count == 0)
        #expect(store.outcomes.reused == 0)
        #expect(store.greetingOutcomes.reused == 2)
        #expect(store.bytes > 0 && store.bytes <= 64 << 10)
    }

    /// The same with room for some: the store keeps exchanges while their cost fits and then no more.
    @Test func theStoreKeepsExchangesWhileTheyFitItsBytes() async throws {
        let store = ExchangeMemoStore(maximumBytes: 150_000)
        let distinct: @Sendable (Int) -> MilterMessage = { index in
            var message = Fixtures.message
            message.headerFields.append(RawHeaderField(name: "X-Index", value: " \(index)"))
            return message
        }
        let script = { Scripts.wellBehaved(endOfMessage: [.reply(Self.bigHeader), .reply(.accept)]) }
        let reused = try await ExchangeReuseTests.run(script(), memos: store, message: distinct)
        let judged = try await ExchangeReuseTests.run(script(), memos: nil, message: distinct)
        #expect(reused.outcomes == judged.outcomes)
        // Each exchange costs over 100 kB: one fits, and what is left is too little for another.
        #expect(store.count == 1)
        #expect(store.bytes > 100_000 && store.bytes <= 150_000)
    }

    /// Recordings started before any ends reserve what they keep from the store: together with
    /// the kept exchanges they stay within its bytes, the one that finds too little left stops
    /// keeping, and what they reserved goes back when they end.
    @Test func recordingsInFlightTogetherStayWithinTheStoresBytes() {
        let store = ExchangeMemoStore(maximumBytes: 200_000)
        var recorders = (0..<4).map { _ in
            ExchangeRecorder(
                after: .start, queueID: [], keepsSegments: true, maximumBytes: store.maximumBytes,
                reservingFrom: store)
        }
        for index in recorders.indices { recorders[index].enqueued(Self.frames(60_000)) }
        // Three fit; each would have fitted alone.
        #expect(recorders[0..<3].allSatisfy { $0.keepsSegments && $0.reserved >= 60_000 })
        #expect(!recorders[3].keepsSegments && !recorders[3].replayable && recorders[3].reserved == 0)
        #expect(recorders.reduce(0) { $0 + $1.reserved } == store.bytesReserved)
        #expect(store.bytesReserved <= store.maximumBytes)
        for index in recorders.indices {
            recorders[index].received(.reply(.accept), timeout: .seconds(1))
        }
        let kept = recorders.reduce(0) { $0 + $1.bytesKept }
        #expect(kept > 180_000 && kept <= store.maximumBytes - store.bytesLeft)
        // One more than its reservation holds, with too little left: it stops and gives it back.
        let before = store.bytesReserved
        let reservedByFirst = recorders[0].reserved
        recorders[0].enqueued(Self.frames(reservedByFirst - recorders[0].bytesKept + 1 + store.bytesLeft))
        #expect(!recorders[0].keepsSegments && recorders[0].reserved == 0)
        #expect(store.bytesReserved == before - reservedByFirst)
        // The others end: one is kept, its reservation given back as it is; one is dropped.
        let memo = Self.memo(Fixtures.message, answeredWith: .accept)
        store.keep(memo, after: .start, releasing: recorders[1].reserved)
        store.release(recorders[2].reserved)
        #expect(store.count == 1 && store.bytesReserved == 0)
        #expect(store.bytesLeft == store.maximumBytes - memo.byteCount)
        // A recording after them has the whole rest again.
        var later = ExchangeRecorder(
            after: .start, queueID: [], keepsSegments: true, maximumBytes: store.maximumBytes, reservingFrom: store)
        later.enqueued(Self.frames(150_000))
        #expect(later.keepsSegments && store.bytesReserved == later.reserved)
    }

    /// A memo of `message` whose one write was answered by `reply`.
    static func memo(_ message: MilterMessage, answeredWith reply: MilterReply) -> ExchangeMemo {
        let machine = MTAConnectionStateMachine(configuration: Fixtures.configuration(), client: SMTPClient())
        let segment = ExchangeSegment(
            frames: frames(100), queueIDRanges: [], expected: [(reply, .seconds(1))], within: .seconds(1))
        return ExchangeMemo(
            message: message, segments: [segment], result: TransactionResult(steps: [], verdict: .accept),
            awaitedSteps: [], machineAfter: machine, digestAfter: .start, queueIDLength: 0, transactionsCounted: 1)
    }

    /// The store itself: a memo whose cost would pass its bytes is not kept, whatever recorded it;
    /// nor is a greeting.
    @Test func theStoreKeepsNoMemoPastItsBytes() {
        var other = Fixtures.message
        other.headerFields.append(RawHeaderField(name: "X-Other", value: " yes"))
        let small = Self.memo(Fixtures.message, answeredWith: .accept)
        let big = Self.memo(other, answeredWith: Self.bigHeader)
        let store = ExchangeMemoStore(maximumBytes: 50_000)
        store.keep(big, after: .start)
        #expect(store.count == 0 && store.bytes == 0)
        store.keep(small, after: .start)
        #expect(store.count == 1 && store.bytes == small.byteCount)
        let machine = MTAConnectionStateMachine(configuration: Fixtures.configuration(), client: SMTPClient())
        let greeting = GreetingMemo(
            segments: [ExchangeSegment(frames: Self.frames(60_000), queueIDRanges: [], expected: [], within: .zero)],
            machineAfter: machine, digestAfter: nil)
        store.keep(greeting, for: SMTPClient())
        #expect(store.greeting(for: SMTPClient()) == nil)
        #expect(store.bytes == small.byteCount)
    }
}
