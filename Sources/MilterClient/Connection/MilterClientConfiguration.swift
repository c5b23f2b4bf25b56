import MilterProtocol
import NIOCore

/// How the fake MTA behaves towards one milter.
public struct MilterClientConfiguration: Sendable {
    /// The MTA played: ``MTAProfile/postfix`` (default) or ``MTAProfile/sendmail``.
    public var profile: MTAProfile
    /// The protocol version offered: 2, 3, 4 or 6.
    public var version: MilterVersion
    /// The OPTNEG offer sent as it is, instead of the profile's offer for ``version``: a replay
    /// repeats the offer an MTA was recorded making.
    public var offer: OptionNegotiation?
    /// Macro values per event that replace (or add to) what the MTA would send.
    public var macroOverrides: [MacroEvent: [(name: String, value: String)]]
    /// Timeouts; `nil` uses the profile's.
    public var timeouts: MilterTimeouts?
    /// The played MTA's host name and listening address.
    public var identity: MTAIdentity
    /// The largest reply payload accepted, checked before buffering.
    public var maximumReplyLength: Int
    /// How long a connection is watched after QUIT for the milter to close; replies seen
    /// meanwhile are findings. Zero (the default) closes right after QUIT, as Postfix does.
    /// A positive wait happens off the caller's path: ``MilterClientConnection/quit()`` returns at
    /// once and ``quitObserver`` watches the connection in the background (the findings come
    /// from ``MilterClientConnection/findingsAfterQuit()`` or the handler of
    /// ``MilterClientConnection/quit(then:)``). A replayed QUIT
    /// (``MilterClientConnection/replay(_:macros:)``) still waits, since its record holds them.
    public var quitDrainTimeout: TimeAmount
    /// Watches connections after QUIT when ``quitDrainTimeout`` is positive, and bounds how many
    /// at once; copies of the configuration share it.
    public var quitObserver = QuitObserver()
    /// The date written in the MTA's own Received header; inject a fixed one for reproducible output.
    public var receivedDate: @Sendable () -> String
    /// Whether results carry ``TransactionResult/resultingMessage``. A load run that never looks at
    /// the message can turn it off: the client then keeps no copy of the headers and body.
    public var buildsResultingMessage = true
    /// What the client keeps, at most, for this connection.
    public var limits = MilterClientLimits()
    /// Transactions a ``BlockingMilterConnection`` may send again from their recorded bytes when the
    /// milter answers them as before (``ExchangeMemoStore``); `nil` (the default) judges every
    /// transaction with the full state machine. Copies of the configuration share the store. A
    /// connection with a ``frameTap`` never uses it.
    package var exchangeMemos: ExchangeMemoStore?
    /// An observer of every frame sent and received, in wire order (`milter-replay --verbose`);
    /// `nil` (the default) costs nothing.
    public var frameTap: MilterFrameTap?

    /// Creates a configuration; the defaults play Postfix 3 offering version 6.
    public init(
        profile: MTAProfile = .postfix, version: MilterVersion = .v6,
        macroOverrides: [MacroEvent: [(name: String, value: String)]] = [:], timeouts: MilterTimeouts? = nil,
        identity: MTAIdentity = MTAIdentity(), maximumReplyLength: Int = MilterFrameLimits.replies.maximumPayloadLength,
        quitDrainTimeout: TimeAmount = .zero,
        receivedDate: @escaping @Sendable () -> String = ReceivedDate.now
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

    /// The timeouts in force.
    public var effectiveTimeouts: MilterTimeouts { timeouts ?? profile.timeouts }
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
