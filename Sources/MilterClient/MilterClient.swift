import NIOCore
import NIOPosix

/// Shared defaults of the MilterClient module.
public enum MilterClient {
    /// The event loop group connections use unless given another.
    public static var defaultEventLoopGroup: any EventLoopGroup { MultiThreadedEventLoopGroup.singleton }
}
