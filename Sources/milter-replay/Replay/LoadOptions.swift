import ArgumentParser
import MilterReplayKit

/// How much to send, and how fast.
struct LoadOptions: ParsableArguments {
    @Option(help: "Milter connections used at once.")
    var connections: Int = 1

    @Option(help: "Messages sent on one milter connection before it is closed (as one SMTP session).")
    var messagesPerConnection: Int = 1

    @Option(help: "Replay the inputs this many times.")
    var `repeat`: Int = 1

    @Option(help: "Replay the inputs over and over for this many seconds (instead of --repeat).")
    var duration: Double?

    @Option(help: "Start messages at this rate per second, whatever the latency (open loop).")
    var rate: Double?

    @Option(help: "Event loop threads (default: the number of connections, at most 16).")
    var threads: Int?

    func validate() throws {
        guard connections >= 1 else { throw ValidationError("--connections must be at least 1") }
        guard messagesPerConnection >= 1 else { throw ValidationError("--messages-per-connection must be at least 1") }
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be at least 1") }
        if let duration, !(duration > 0) { throw ValidationError("--duration must be positive") }
        if let rate, !(rate > 0) { throw ValidationError("--rate must be positive") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    /// The settings these options give.
    var settings: LoadSettings {
        LoadSettings(
            connections: connections, messagesPerConnection: messagesPerConnection, repeat: `repeat`,
            duration: duration, rate: rate, threads: threads)
    }
}
