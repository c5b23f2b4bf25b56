/// The timing rules of the supervisor: how long a new child may take to report ready, how long a
/// stop may take, and how restarts back off.
public struct SupervisorPolicy: Hashable, Sendable {
    /// How long a new child may take to write its ready byte before it is killed.
    public var readyTimeout: Duration
    /// How long children may drain before they get SIGKILL: after SIGTERM to the proxy, or after the
    /// SIGINT that retires an old child once a reload's new one is ready.
    public var stopTimeout: Duration
    /// The delay before the first restart of a child that died.
    public var initialBackoff: Duration
    /// The longest delay between restarts; a child that served this long before it died is not
    /// counted as a failure in a row, unless it exited with a configuration error
    /// (``ChildExit/isConfigurationError``).
    public var maximumBackoff: Duration
    /// How many restarts in a row may fail (a child that dies before it is ready, or soon after)
    /// before the proxy gives up and exits with ``gaveUpStatus``.
    public var maximumRestarts: Int

    /// The proxy's exit status when it gives up: the first child could not start, or restarts kept failing.
    public static let gaveUpStatus: Int32 = 3

    /// Creates a policy. The stop timeout defaults to 30 s, well under systemd's 90 s `TimeoutStopSec`.
    public init(
        readyTimeout: Duration = .seconds(30), stopTimeout: Duration = .seconds(30),
        initialBackoff: Duration = .milliseconds(100), maximumBackoff: Duration = .seconds(30),
        maximumRestarts: Int = 10
    ) {
        self.readyTimeout = readyTimeout
        self.stopTimeout = stopTimeout
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.maximumRestarts = max(0, maximumRestarts)
    }

    /// The delay before restart number `failures` (counted from 1): doubled each time, capped.
    public func backoff(failures: Int) -> Duration {
        var delay = initialBackoff
        for _ in 1..<max(1, failures) where delay < maximumBackoff { delay *= 2 }
        return min(delay, maximumBackoff)
    }
}
