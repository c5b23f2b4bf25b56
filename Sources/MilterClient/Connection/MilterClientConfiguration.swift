import MilterProtocol
import NIOCore

/// How the fake MTA behaves towards one milter.
public struct MilterClientConfiguration: Sendable {
    /// The settings, in one object shared by copies until one of them changes a setting: a configuration is
    /// copied into every connection and its state machine, and a copy then costs one reference.
    private var storage: Storage

    /// The MTA played: ``MTAProfile/postfix`` (default) or ``MTAProfile/sendmail``.
    public var profile: MTAProfile {
        get { storage.profile }
        set { uniqueStorage().profile = newValue }
    }
    /// The protocol version offered: 2, 3, 4 or 6.
    public var version: MilterVersion {
        get { storage.version }
        set { uniqueStorage().version = newValue }
    }
    /// The OPTNEG offer sent as it is, instead of the profile's offer for ``version``: a replay
    /// repeats the offer an MTA was recorded making.
    public var offer: OptionNegotiation? {
        get { storage.offer }
        set { uniqueStorage().offer = newValue }
    }
    /// Macro values per event that replace (or add to) what the MTA would send.
    public var macroOverrides: [MacroEvent: [(name: String, value: String)]] {
        get { storage.macroOverrides }
        set { uniqueStorage().macroOverrides = newValue }
    }
    /// Timeouts; `nil` uses the profile's.
    public var timeouts: MilterTimeouts? {
        get { storage.timeouts }
        set { uniqueStorage().timeouts = newValue }
    }
    /// The played MTA's host name and listening address.
    public var identity: MTAIdentity {
        get { storage.identity }
        set { uniqueStorage().identity = newValue }
    }
    /// The largest reply payload accepted, checked before buffering.
    public var maximumReplyLength: Int {
        get { storage.maximumReplyLength }
        set { uniqueStorage().maximumReplyLength = newValue }
    }
    /// How long a connection is watched after QUIT for the milter to close; replies seen
    /// meanwhile are findings. Zero (the default) closes right after QUIT, as Postfix does.
    /// A positive wait happens off the caller's path: ``MilterClientConnection/quit()`` returns at
    /// once and ``quitObserver`` watches the connection in the background (the findings come
    /// from ``MilterClientConnection/findingsAfterQuit()`` or the handler of
    /// ``MilterClientConnection/quit(then:)``). A replayed QUIT
    /// (``MilterClientConnection/replay(_:macros:)``) still waits, since its record holds them.
    public var quitDrainTimeout: TimeAmount {
        get { storage.quitDrainTimeout }
        set { uniqueStorage().quitDrainTimeout = newValue }
    }
    /// Watches connections after QUIT when ``quitDrainTimeout`` is positive, and bounds how many
    /// at once; copies of the configuration share it.
    public var quitObserver: QuitObserver {
        get { storage.quitObserver }
        set { uniqueStorage().quitObserver = newValue }
    }
    /// The date written in the MTA's own Received header; inject a fixed one for reproducible output.
    public var receivedDate: @Sendable () -> String {
        get { storage.receivedDate }
        set { uniqueStorage().receivedDate = newValue }
    }
    /// Whether results carry ``TransactionResult/resultingMessage``. A load run that never looks at
    /// the message can turn it off: the client then keeps no copy of the headers and body.
    public var buildsResultingMessage: Bool {
        get { storage.buildsResultingMessage }
        set { uniqueStorage().buildsResultingMessage = newValue }
    }
    /// What the client keeps, at most, for this connection.
    public var limits: MilterClientLimits {
        get { storage.limits }
        set { uniqueStorage().limits = newValue }
    }
    /// Transactions a ``BlockingMilterConnection`` may send again from their recorded bytes when the
    /// milter answers them as before (``ExchangeMemoStore``); `nil` (the default) judges every
    /// transaction with the full state machine. Copies of the configuration share the store. A
    /// connection with a ``frameTap`` never uses it.
    package var exchangeMemos: ExchangeMemoStore? {
        get { storage.exchangeMemos }
        set { uniqueStorage().exchangeMemos = newValue }
    }
    /// An observer of every frame sent and received, in wire order (`milter-replay --verbose`);
    /// `nil` (the default) costs nothing.
    public var frameTap: MilterFrameTap? {
        get { storage.frameTap }
        set { uniqueStorage().frameTap = newValue }
    }

    /// Creates a configuration; the defaults play Postfix 3 offering version 6.
    public init(
        profile: MTAProfile = .postfix, version: MilterVersion = .v6,
        macroOverrides: [MacroEvent: [(name: String, value: String)]] = [:], timeouts: MilterTimeouts? = nil,
        identity: MTAIdentity = MTAIdentity(), maximumReplyLength: Int = MilterFrameLimits.replies.maximumPayloadLength,
        quitDrainTimeout: TimeAmount = .zero,
        receivedDate: @escaping @Sendable () -> String = ReceivedDate.now
    ) {
        storage = Storage(
            profile: profile, version: version, macroOverrides: macroOverrides, timeouts: timeouts, identity: identity,
            maximumReplyLength: maximumReplyLength, quitDrainTimeout: quitDrainTimeout, receivedDate: receivedDate)
    }

    /// The timeouts in force.
    public var effectiveTimeouts: MilterTimeouts { timeouts ?? profile.timeouts }

    /// The storage, unshared first if another configuration holds it too.
    private mutating func uniqueStorage() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }

    /// The settings. Written only through a configuration that holds it alone (``uniqueStorage()``),
    /// so a shared one never changes.
    private final class Storage: @unchecked Sendable {
        var profile: MTAProfile
        var version: MilterVersion
        var offer: OptionNegotiation?
        var macroOverrides: [MacroEvent: [(name: String, value: String)]]
        var timeouts: MilterTimeouts?
        var identity: MTAIdentity
        var maximumReplyLength: Int
        var quitDrainTimeout: TimeAmount
        var quitObserver: QuitObserver = QuitObserver()
        var receivedDate: @Sendable () -> String
        var buildsResultingMessage: Bool = true
        var limits: MilterClientLimits = MilterClientLimits()
        var exchangeMemos: ExchangeMemoStore?
        var frameTap: MilterFrameTap?

        init(
            profile: MTAProfile, version: MilterVersion, macroOverrides: [MacroEvent: [(name: String, value: String)]],
            timeouts: MilterTimeouts?, identity: MTAIdentity, maximumReplyLength: Int, quitDrainTimeout: TimeAmount,
            receivedDate: @escaping @Sendable () -> String
        ) {
            self.profile = profile
            self.version = version
            self.macroOverrides = macroOverrides
            self.timeouts = timeouts
            self.identity = identity
            self.maximumReplyLength = maximumReplyLength
            self.quitDrainTimeout = quitDrainTimeout
            self.receivedDate = receivedDate
        }

        func copy() -> Storage {
            let copy = Storage(
                profile: profile, version: version, macroOverrides: macroOverrides, timeouts: timeouts,
                identity: identity, maximumReplyLength: maximumReplyLength, quitDrainTimeout: quitDrainTimeout,
                receivedDate: receivedDate)
            copy.offer = offer
            copy.quitObserver = quitObserver
            copy.buildsResultingMessage = buildsResultingMessage
            copy.limits = limits
            copy.exchangeMemos = exchangeMemos
            copy.frameTap = frameTap
            return copy
        }
    }
}

/// Why a connection to a milter could not be used at all.
public struct MilterConnectError: Error, Sendable, CustomStringConvertible {
    /// The address tried.
    public var address: MilterAddress
    /// The underlying error, in words.
    public var reason: String

    /// The failure in words: `cannot connect to 127.0.0.1:7044: connection refused`.
    public var description: String {
        let place =
            switch address {
            case .unix(let path): "unix:\(path)"
            case .inet(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            }
        return "cannot connect to \(place): \(reason)"
    }
}
