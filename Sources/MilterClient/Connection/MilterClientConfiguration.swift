import MilterProtocol
import NIOCore

/// How the fake MTA behaves towards one milter.
public struct MilterClientConfiguration: Sendable {
    /// The settings, in one immutable object shared by copies: a configuration is copied into every
    /// connection and its state machine, and a copy then costs one reference. A setting is read in
    /// place (`_read`, no copy of a profile to look at one of its flags); a change, made when a run is
    /// set up, makes a new object.
    private var storage: Storage

    /// The MTA played: ``MTAProfile/postfix`` (default) or ``MTAProfile/sendmail``.
    public var profile: MTAProfile {
        _read { yield storage.settings.profile }
        set { storage = storage.changing { $0.profile = newValue } }
    }
    /// The protocol version offered: 2, 3, 4 or 6.
    public var version: MilterVersion {
        _read { yield storage.settings.version }
        set { storage = storage.changing { $0.version = newValue } }
    }
    /// The OPTNEG offer sent as it is, instead of the profile's offer for ``version``: a replay
    /// repeats the offer an MTA was recorded making.
    public var offer: OptionNegotiation? {
        _read { yield storage.settings.offer }
        set { storage = storage.changing { $0.offer = newValue } }
    }
    /// Macro values per event that replace (or add to) what the MTA would send.
    public var macroOverrides: [MacroEvent: [(name: String, value: String)]] {
        _read { yield storage.settings.macroOverrides }
        set { storage = storage.changing { $0.macroOverrides = newValue } }
    }
    /// Timeouts; `nil` uses the profile's.
    public var timeouts: MilterTimeouts? {
        _read { yield storage.settings.timeouts }
        set { storage = storage.changing { $0.timeouts = newValue } }
    }
    /// The played MTA's host name and listening address.
    public var identity: MTAIdentity {
        _read { yield storage.settings.identity }
        set { storage = storage.changing { $0.identity = newValue } }
    }
    /// The largest reply payload accepted, checked before buffering.
    public var maximumReplyLength: Int {
        _read { yield storage.settings.maximumReplyLength }
        set { storage = storage.changing { $0.maximumReplyLength = newValue } }
    }
    /// How long a connection is watched after QUIT for the milter to close; replies seen
    /// meanwhile are findings. Zero (the default) closes right after QUIT, as Postfix does.
    /// A positive wait happens off the caller's path: ``MilterClientConnection/quit()`` returns at
    /// once and ``quitObserver`` watches the connection in the background (the findings come
    /// from ``MilterClientConnection/findingsAfterQuit()`` or the handler of
    /// ``MilterClientConnection/quit(then:)``). A replayed QUIT
    /// (``MilterClientConnection/replay(_:macros:)``) still waits, since its record holds them.
    public var quitDrainTimeout: TimeAmount {
        _read { yield storage.settings.quitDrainTimeout }
        set { storage = storage.changing { $0.quitDrainTimeout = newValue } }
    }
    /// Watches connections after QUIT when ``quitDrainTimeout`` is positive, and bounds how many
    /// at once; copies of the configuration share it.
    public var quitObserver: QuitObserver {
        _read { yield storage.settings.quitObserver }
        set { storage = storage.changing { $0.quitObserver = newValue } }
    }
    /// The date written in the MTA's own Received header; inject a fixed one for reproducible output.
    public var receivedDate: @Sendable () -> String {
        _read { yield storage.settings.receivedDate }
        set { storage = storage.changing { $0.receivedDate = newValue } }
    }
    /// Whether results carry ``TransactionResult/resultingMessage``. A load run that never looks at
    /// the message can turn it off: the client then keeps no copy of the headers and body.
    public var buildsResultingMessage: Bool {
        _read { yield storage.settings.buildsResultingMessage }
        set { storage = storage.changing { $0.buildsResultingMessage = newValue } }
    }
    /// What the client keeps, at most, for this connection.
    public var limits: MilterClientLimits {
        _read { yield storage.settings.limits }
        set { storage = storage.changing { $0.limits = newValue } }
    }
    /// Transactions a ``BlockingMilterConnection`` may send again from their recorded bytes when the
    /// milter answers them as before (``ExchangeMemoStore``); `nil` (the default) judges every
    /// transaction with the full state machine. Copies of the configuration share the store. A
    /// connection with a ``frameTap`` never uses it.
    package var exchangeMemos: ExchangeMemoStore? {
        _read { yield storage.settings.exchangeMemos }
        set { storage = storage.changing { $0.exchangeMemos = newValue } }
    }
    /// An observer of every frame sent and received, in wire order (`milter-replay --verbose`);
    /// `nil` (the default) costs nothing.
    public var frameTap: MilterFrameTap? {
        _read { yield storage.settings.frameTap }
        set { storage = storage.changing { $0.frameTap = newValue } }
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
            Settings(
                profile: profile, version: version, macroOverrides: macroOverrides, timeouts: timeouts,
                identity: identity,
                maximumReplyLength: maximumReplyLength, quitDrainTimeout: quitDrainTimeout, receivedDate: receivedDate))
    }

    /// The timeouts in force.
    public var effectiveTimeouts: MilterTimeouts { timeouts ?? profile.timeouts }

    /// The settings, never changed once made.
    private final class Storage: Sendable {
        let settings: Settings

        init(_ settings: Settings) { self.settings = settings }

        /// A new storage with `change` made to these settings.
        func changing(_ change: (inout Settings) -> Void) -> Storage {
            var settings = settings
            change(&settings)
            return Storage(settings)
        }
    }

    private struct Settings: Sendable {
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
    }
}

/// Why a connection to a milter could not be used at all.
public struct MilterConnectError: Error, Sendable, CustomStringConvertible {
    /// The address tried.
    public var address: MilterAddress
    /// The underlying error, in words.
    public var reason: String
    /// The `errno` of the system call that failed (`ECONNREFUSED`, `EMFILE`), or `nil` when the failure was not a
    /// system call's: a connect that timed out, a host name that does not resolve, a milter that closed the
    /// connection as soon as it accepted it.
    public var errnoCode: Int32?

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
