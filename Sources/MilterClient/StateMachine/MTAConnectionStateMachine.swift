import MilterProtocol
import NIOCore

/// The fake MTA of one milter connection as a pure value: every rule the MTA side follows, and
/// no socket, timer or task.
///
/// It is built as postgres-nio's `ConnectionStateMachine` is: one `mutating` method per event
/// (the caller's next step, a frame written, an event from the milter, the socket closed), each
/// returning the one ``Action`` its owner carries out next. ``MilterClientConnection`` is that
/// owner: it translates socket events into calls and runs the actions, nothing more. Timeouts
/// come in as ``InboxEvent/timeout(_:)`` events, so a test drives the machine, timeouts
/// included, with plain values.
///
/// ``MTASession`` checks each command and reply against the protocol; this machine adds what an
/// MTA decides around it: the profile's habits (macros, ABORT, QUIT after a connection-level
/// verdict, reply texts), the order of a transaction, SKIP, the end of a transaction on a
/// verdict, the default action after a finding, and the records and results handed back.
///
/// The machine is a large value. Its helpers that only read it are `mutating` all the same where
/// a step calls them: a non-mutating method called from a mutating one gets a copy of the whole
/// machine (every reference in it retained, then released), a mutating one gets the same storage.
package struct MTAConnectionStateMachine {
    /// What the owner does next.
    package enum Action {
        /// Write these frames, unless replies nobody asked for are already waiting: then hand them
        /// to ``strayRepliesFound(_:)`` and write nothing. After the write, call ``written()``.
        case write(ByteBuffer)
        /// Wait at most this long for the milter's next event and hand it to ``eventReceived(_:)``.
        case wait(TimeAmount)
        /// Close the socket, then call ``closed()``.
        case close
        /// The step asked for is over: hand its record to the caller.
        case deliverStep(StepRecord)
        /// The transaction is over: hand its result to the caller.
        indirect case deliverTransaction(TransactionResult)
        /// QUIT, or a wait for stray replies, is over, with what it found.
        indirect case deliverFinding(Finding?)
    }

    /// Where the connection stands.
    enum Status: Hashable {
        /// Events go to the milter.
        case open
        /// The milter accepted the connection: no more events, every message is delivered unfiltered.
        case bypass
        /// The connection was refused (verdict at CONNECT/HELO, SHUTDOWN, or a finding): every later step gets
        /// this reply, but HELO if `answersHelo` (``MTAProfile/keepsSessionAfterConnectionVerdict``).
        case refused(String, answersHelo: Bool)
    }

    /// The configuration in force.
    let configuration: MilterClientConfiguration
    /// ``MilterClientConfiguration/effectiveTimeouts``, worked out once: every step reads it.
    let timeouts: MilterTimeouts
    /// The SMTP client reported in CONNECT and HELO.
    package internal(set) var client: SMTPClient
    let allocator: ByteBufferAllocator
    /// The clock the step durations and deadlines are read from; a test can fix it or move it.
    /// Timeouts still come in as events: the clock only shortens a wait to what is left of the
    /// step's deadline, and ends the step when nothing is left.
    /// An `NIODeadline`, whose layout is known: a machine holding `ContinuousClock.Instant`s (a
    /// resilient type) was copied and read through the runtime's value witnesses.
    package var now: @Sendable () -> NIODeadline = { NIODeadline.now() }
    /// Tells this connection's queue IDs apart from other connections'.
    package var connectionTag: UInt = 0

    /// The protocol rules, checked command by command and reply by reply.
    package internal(set) var session: MTASession
    var status = Status.open
    /// Whether the socket is open (no ``Action/close`` issued yet).
    package internal(set) var socketOpen = true
    /// A close is due before the next action.
    var closeDue = false
    /// The action that follows the ``Action/close`` being carried out.
    var afterClose: Action?
    var transaction = TransactionState()
    var skippingBody = false
    var lastSent: MilterCommand.ID = .optionNegotiation
    var lastWrittenWasLoneMacro = false
    /// The last event sent that the milter negotiated no reply for (an NR flag), until end of message or the
    /// transaction's end: a stray reply is laid to it (``strayFinding(_:)``).
    var lastEventWithoutReply: MilterCommand.ID?
    /// The commands written with no reply due since the last reply read, for the finding of a step that awaits one
    /// (``Finding/sentWithoutReply``). Noted only for a command that takes no reply; its storage is kept when a
    /// reply empties it, so a step allocates nothing for it.
    var sentWithoutReply = Finding.SentWithoutReply()
    var transactionCount = 0
    /// Whether the SMTP session had its HELO (Postfix's `helo_name`): ``heloRequested(_:extended:)`` was called. Under
    /// ``MTAProfile/abortsWhenHeloIsReset`` it is reset, with an ABORT, by a second HELO and at QUIT.
    var heloGiven = false
    /// The protocol the SMTP session speaks, as Postfix's `smtpd` keeps it (`state->protocol`): `SMTP` until an EHLO
    /// makes it `ESMTP` (a HELO leaves it as it is), and what XCLIENT's `PROTO` says, `SMTP` without it. The MTA's
    /// own `Received:` header names it (``receivedProtocol(sender:)``).
    var smtpProtocol = XClientAttributes.SMTPProtocol.smtp
    /// Sendmail: the protocol its `Received:` header names (`srvrsmtp.c`'s `protocol`, the `r` macro), which each
    /// HELO and EHLO sets anew (``sendmailGreetingProtocol(extended:)``); `nil` before any, which Sendmail writes as
    /// `SMTP`.
    var sendmailProtocol: String?
    /// Postfix: the reason of a QUARANTINE at an smtpd event, the milter's persistent reply since:
    /// later smtpd events are withheld and every message is held (`MTAConnectionStateMachine+Quarantine.swift`).
    var quarantineHold: String?

    /// The OPTNEG step.
    package internal(set) var negotiation: StepRecord
    /// Warnings from OPTNEG that do not stop the session.
    package internal(set) var negotiationWarnings: [MilterProtocolError] = []
    /// Findings outside any transaction (at CONNECT, HELO, QUIT).
    package internal(set) var connectionFindings: [Finding] = []

    var macros: MacroPlan {
        didSet {
            plannedMacros.removeAll()
            macroPackets.removeAll()
        }
    }
    var context: MacroContext { didSet { macroPackets.removeAll() } }
    /// The macros of each event, their names resolved, since `macros` last changed.
    var plannedMacros = PlannedMacroTable()
    /// The MACRO packets since `macros` or `context` last changed, by stage: a message's ten
    /// HEADER steps share one.
    var macroPackets = MacroPackets()

    /// What the step in flight is for: what happens once it is over.
    var purpose = Purpose.none
    /// The command handed out in ``Action/write(_:)`` and not yet written.
    var outgoing: OutgoingStep?
    /// The step whose replies are due.
    var pending: PendingStep?
    /// The message ``messageRequested(_:)`` is driving, if any.
    var message: MessageCursor?
    /// A buffer handed back by the owner (``recycle(_:)``) for the next step's frames.
    var spareBuffer: ByteBuffer?

    /// Creates the machine of a connection about to negotiate; frames are built with `allocator`.
    package init(
        configuration: MilterClientConfiguration, client: SMTPClient,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) {
        self.configuration = configuration
        self.timeouts = configuration.effectiveTimeouts
        self.client = client
        self.allocator = allocator
        self.session = MTASession(rules: configuration.profile.rules)
        self.macros = MacroPlan(profile: configuration.profile, overrides: configuration.macroOverrides)
        self.context = MacroContext(identity: configuration.identity, profile: configuration.profile, client: client)
        self.negotiation = StepRecord(command: .optionNegotiation, delivery: .notSent)
    }

    /// The agreement, once negotiated.
    package var options: NegotiatedOptions? { session.options }

    /// Turns a due close into ``Action/close``, followed by `action`.
    mutating func emit(_ action: Action) -> Action {
        guard closeDue else { return action }
        closeDue = false
        afterClose = action
        return .close
    }

    /// Marks the socket closed; the close goes out before the next action.
    mutating func dropSocket() {
        guard socketOpen else { return }
        socketOpen = false
        closeDue = true
    }
}
