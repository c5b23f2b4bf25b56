import NIOCore
import NIOPosix

/// Shared defaults of the MilterClient module.
public enum MilterClientDefaults {
    /// The event loop group connections use unless given another.
    public static var eventLoopGroup: any EventLoopGroup { MultiThreadedEventLoopGroup.singleton }
}
