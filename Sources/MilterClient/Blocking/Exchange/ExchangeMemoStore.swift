import NIOConcurrencyHelpers
import Synchronization

/// Transactions that ``BlockingMilterConnection`` may send again from their recorded bytes, shared
/// by the connections of one configuration (``MilterClientConfiguration/exchangeMemos``).
///
/// A load run sends the same messages over and over, and a milter that answers them the same way
/// makes the same exchange each time. The first time a message follows a given history (the
/// connection's ``ExchangeDigest``: of its own steps, then of the state each recorded transaction
/// left it in), the full state machine sends it and judges every reply, and the store keeps what
/// was written, what came back, the result and the machine's state after it.
/// The next connection with the same history sends the same message from those bytes (its own
/// queue ID patched in), compares each reply with the one recorded and, if all match, takes the
/// recorded result and state: the machine is a pure value, so the same inputs in the same state
/// give the same judgement. The first reply that differs (or a timeout, a close, a reply nobody
/// asked for) hands the message back to the machine, which is fed what was already sent and read
/// and then carries on on the socket: the findings are the machine's, as without the store.
///
/// Only exchanges the digest fully describes are kept: every event a reply, no finding, no reply
/// nobody asked for, no close, and no resulting message (its Received header carries the date).
/// A write answered by several replies (modifications, then the final one) is taken from the
/// record only if they all came within the shortest wait of the recording, so that no wait of the
/// machine would have run out first (``ExchangeSegment/within``). The store holds at most ``capacity``
/// exchanges and ``maximumBytes`` of them (``ExchangeMemo/byteCount``, greetings included); past that,
/// messages go through the machine alone. A recording reserves from the budget what it keeps as it
/// goes (``reserve(_:wanting:)``), so recordings in flight and the kept exchanges together stay
/// within ``maximumBytes`` however many connections record at once; a recording that cannot
/// reserve more stops keeping and is not kept (``ExchangeRecorder``), and its reservation goes
/// back when it ends (``release(_:)``, ``keep(_:after:releasing:)``). A run whose histories seldom repeat (many different messages on each
/// connection) turns the store off after ``trialLookups`` lookups, as recording would cost more
/// than it saves.
package final class ExchangeMemoStore: RecordingBudget {
    /// The most exchanges kept.
    package let capacity: Int
    /// The most bytes the kept exchanges and greetings may cost (``ExchangeMemo/byteCount``).
    package let maximumBytes: Int
    /// After this many lookups, the store turns itself off if fewer than a quarter found a record.
    package let trialLookups: Int
    private let memos = NIOLockedValueBox(Memos())

    private struct Memos {
        var count = 0
        /// What the kept exchanges and greetings cost.
        var bytes = 0
        /// What the recordings in flight have reserved: ``bytes`` and this stay within ``maximumBytes``.
        var reserved = 0
        /// What the kept exchanges alone cost.
        var exchangeBytes = 0
        /// By the history or state they follow and the message's ``MilterMessage/lookupHash``.
        var byKey: [Key: [ExchangeMemo]] = [:]
        var lookups = 0
        var off = false
    }

    private struct Key: Hashable {
        let digest: ExchangeDigest
        let message: Int
    }

    /// What a lookup found.
    enum Lookup {
        /// The record of this message after this history.
        case found(ExchangeMemo)
        /// None yet: send through the machine and record.
        case missing
        /// The store is off: few histories repeat in this run (many different messages per
        /// connection), so recording costs more than it saves. Send through the machine, unrecorded.
        case off
    }

    /// A store of at most `capacity` exchanges costing at most `maximumBytes` in all (greetings
    /// included) that gives up after `trialLookups` lookups of which fewer than a quarter found a record.
    package init(capacity: Int = 1024, maximumBytes: Int = 64 << 20, trialLookups: Int = 1024) {
        self.capacity = capacity
        self.maximumBytes = maximumBytes
        self.trialLookups = trialLookups
    }

    /// What is left of ``maximumBytes`` beside the kept exchanges and the recordings' reservations.
    var bytesLeft: Int { memos.withLockedValue { max(0, maximumBytes - $0.bytes - $0.reserved) } }

    /// What the recordings in flight have reserved, in bytes.
    var bytesReserved: Int { memos.withLockedValue { $0.reserved } }

    /// Reserves `wanted` bytes for a recording in flight if that much is left, else what is left if
    /// that is at least `needed`. Returns the bytes reserved: 0 if not even `needed` is left, or
    /// the store is off.
    package func reserve(_ needed: Int, wanting wanted: Int) -> Int {
        memos.withLockedValue { store in
            let left = maximumBytes - store.bytes - store.reserved
            guard !store.off, needed <= left else { return 0 }
            let granted = min(max(needed, wanted), left)
            store.reserved += granted
            return granted
        }
    }

    /// Gives back `bytes` a recording reserved and will not keep.
    package func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        memos.withLockedValue { $0.reserved -= bytes }
    }

    /// What the kept exchanges and greetings cost, in bytes (``ExchangeMemo/byteCount``).
    package var bytes: Int { memos.withLockedValue { $0.bytes } }

    /// The exchange recorded for `message` after `digest`, if any; `lookupHash` is the message's
    /// ``MilterMessage/lookupHash``.
    func memo(after digest: ExchangeDigest, for message: MilterMessage, lookupHash: Int) -> Lookup {
        let key = Key(digest: digest, message: lookupHash)
        let (candidates, off) = memos.withLockedValue { store -> ([ExchangeMemo]?, Bool) in
            guard !store.off else { return (nil, true) }
            store.lookups += 1
            if store.lookups >= trialLookups, found.load(ordering: .relaxed) * 4 < store.lookups {
                store.off = true
                store.byKey = [:]
                store.count = 0
                store.bytes -= store.exchangeBytes
                store.exchangeBytes = 0
                return (nil, true)
            }
            return (store.byKey[key], false)
        }
        if off { return .off }
        guard let memo = candidates?.first(where: { $0.message == message }) else { return .missing }
        found.add(1, ordering: .relaxed)
        return .found(memo)
    }

    /// Whether the store has turned itself off (see ``init(capacity:maximumBytes:trialLookups:)``).
    package var isOff: Bool { memos.withLockedValue { $0.off } }

    /// Keeps `memo` unless one for its message and history is kept already or the store is full:
    /// ``capacity`` exchanges, or ``maximumBytes`` with this one's ``ExchangeMemo/byteCount`` and
    /// the other recordings' reservations. `reservation`, what its recording reserved, goes back
    /// first, under the same lock.
    func keep(_ memo: ExchangeMemo, after digest: ExchangeDigest, releasing reservation: Int = 0) {
        let cost = memo.byteCount
        memos.withLockedValue { store in
            store.reserved -= reservation
            guard !store.off, store.count < capacity, store.bytes + store.reserved + cost <= maximumBytes else {
                return
            }
            let key = Key(digest: digest, message: memo.message.lookupHash)
            if store.byKey[key]?.contains(where: { $0.message == memo.message }) == true { return }
            store.byKey[key, default: []].append(memo)
            store.count += 1
            store.bytes += cost
            store.exchangeBytes += cost
        }
    }

    /// How many exchanges are kept.
    package var count: Int { memos.withLockedValue { $0.count } }

    /// Lookups that found a record; counted without the lock, as are the outcomes.
    private let found = Atomic(0)
    private let reused = Atomic(0)
    private let diverged = Atomic(0)

    /// How many transactions were sent from a record and answered as recorded, and how many went
    /// another way and were handed back to the machine.
    package var outcomes: (reused: Int, diverged: Int) {
        (reused.load(ordering: .relaxed), diverged.load(ordering: .relaxed))
    }

    func noteReuse() { reused.add(1, ordering: .relaxed) }
    func noteDivergence() { diverged.add(1, ordering: .relaxed) }

    #if DEBUG
    /// The description of the state behind each state digest (debug builds only).
    private let descriptions = NIOLockedValueBox([ExchangeDigest: String]())
    #endif

    /// Debug builds: checks that machines with the same state digest have the same description, so
    /// that ``MTAConnectionStateMachine/hashBetweenTransactions(into:)`` misses no field.
    func checkDescription(of machine: MTAConnectionStateMachine, for digest: ExchangeDigest) {
        #if DEBUG
        let description = machine.descriptionBetweenTransactions
        let known = descriptions.withLockedValue { table -> String in
            if let known = table[digest] { return known }
            table[digest] = description
            return description
        }
        assert(known == description, "machines with one state digest must stand alike: \(known) against \(description)")
        #endif
    }

    /// The connections' own steps (OPTNEG, CONNECT, HELO), recorded once per SMTP client. Kept
    /// whether or not the store has turned itself off: every connection of a run makes them.
    private let greetings = NIOLockedValueBox(Greetings())

    private struct Greetings {
        var byClient: [SMTPClient: GreetingMemo] = [:]
        /// The greeting found last, with its client: a run's connections are all of one client, whose
        /// comparison with itself (the same strings) costs far less than hashing it (about 900 instructions
        /// per connection).
        var last: (client: SMTPClient, memo: GreetingMemo)?
        var reused = 0
        var diverged = 0
    }

    /// The greeting recorded for `client`, if any.
    func greeting(for client: SMTPClient) -> GreetingMemo? {
        greetings.withLockedValue { store in
            if let last = store.last, last.client == client { return last.memo }
            guard let memo = store.byClient[client] else { return nil }
            store.last = (client, memo)
            return memo
        }
    }

    /// Keeps `greeting` unless one for `client` is kept already or ``maximumBytes`` would be passed
    /// with its ``GreetingMemo/byteCount`` and the recordings' reservations.
    func keep(_ greeting: GreetingMemo, for client: SMTPClient) {
        let cost = greeting.byteCount
        greetings.withLockedValue { store in
            guard store.byClient[client] == nil else { return }
            // The only place that takes both locks, in this order.
            let granted = memos.withLockedValue { kept in
                guard kept.bytes + kept.reserved + cost <= maximumBytes else { return false }
                kept.bytes += cost
                return true
            }
            if granted { store.byClient[client] = greeting }
        }
    }

    /// How many connections made their own steps from a record and were answered as recorded, and
    /// how many were answered another way and handed back to the machine.
    package var greetingOutcomes: (reused: Int, diverged: Int) {
        greetings.withLockedValue { ($0.reused, $0.diverged) }
    }

    func noteGreeting(reused: Bool) {
        greetings.withLockedValue { store in
            if reused { store.reused += 1 } else { store.diverged += 1 }
        }
    }
}

/// A connection's own steps as recorded: OPTNEG, CONNECT and HELO, what was written and read, and
/// the machine after them. Immutable once made.
final class GreetingMemo: @unchecked Sendable {
    let segments: [ExchangeSegment]
    /// The machine after HELO.
    let machineAfter: MTAConnectionStateMachine
    /// The connection's digest after HELO; `nil` if it did not say everything.
    let digestAfter: ExchangeDigest?

    init(segments: [ExchangeSegment], machineAfter: MTAConnectionStateMachine, digestAfter: ExchangeDigest?) {
        self.segments = segments
        self.machineAfter = machineAfter
        self.digestAfter = digestAfter
    }

    /// What keeping it costs, in bytes: its segments' (``ExchangeSegment/byteCount``) and the machine's,
    /// estimated at ``ExchangeMemo/machineCost``.
    var byteCount: Int { segments.reduce(ExchangeMemo.machineCost) { $0 + $1.byteCount } }
}

/// One recorded transaction: what was written and read, and what the machine made of it.
/// Immutable once made; connections copy what they need out of it.
final class ExchangeMemo: @unchecked Sendable {
    let message: MilterMessage
    let segments: [ExchangeSegment]
    let result: TransactionResult
    /// The indexes in ``result``'s steps of the awaited steps, one per segment with a reply, in order.
    let awaitedSteps: [Int]
    /// The machine after the transaction.
    let machineAfter: MTAConnectionStateMachine
    let digestAfter: ExchangeDigest
    let queueIDLength: Int
    /// How much the transaction advanced the machine's transaction count.
    let transactionsCounted: Int

    init(
        message: MilterMessage, segments: [ExchangeSegment], result: TransactionResult, awaitedSteps: [Int],
        machineAfter: MTAConnectionStateMachine, digestAfter: ExchangeDigest, queueIDLength: Int,
        transactionsCounted: Int
    ) {
        self.message = message
        self.segments = segments
        self.result = result
        self.awaitedSteps = awaitedSteps
        self.machineAfter = machineAfter
        self.digestAfter = digestAfter
        self.queueIDLength = queueIDLength
        self.transactionsCounted = transactionsCounted
    }

    /// An estimate of what a machine between transactions holds, in bytes.
    static let machineCost = 2048
    /// An estimate of what a step record holds besides its replies, in bytes.
    static let stepCost = 160

    /// What keeping it costs, in bytes: its segments' (``ExchangeSegment/byteCount``), the message's
    /// body (its header fields and envelope are counted once, in the frames), and an estimate of the
    /// rest: the machine after the transaction (``machineCost``), each step record's own fields
    /// (``stepCost``), and a slot (``MilterClientLimits/replyOverhead``) for each reply the result
    /// holds, whose payload is the recorded reply's, shared.
    var byteCount: Int {
        let replies = result.steps.reduce(result.modifications.count) { $0 + $1.replies.count }
        let rest = Self.machineCost + message.body.count + result.steps.count * Self.stepCost
        return segments.reduce(rest + replies * MilterClientLimits.replyOverhead) { $0 + $1.byteCount }
    }
}
