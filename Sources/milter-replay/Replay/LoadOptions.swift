import ArgumentParser
import MilterReplayKit

/// How much to send, and how fast.
///
/// Numeric options take the next word as their value even when it starts with `-`, so that `--repeat -1` is
/// reported as out of range rather than as a missing value.
struct LoadOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Milter connections used at once, 1 to 10000.")
    var connections: Int = 1

    @Option(
        parsing: .unconditional,
        help: "Messages sent on one milter connection before it is closed, as one SMTP session: 1 to 1000000000.")
    var messagesPerConnection: Int = 1

    @Option(parsing: .unconditional, help: "Replay the inputs this many times (default: 1; not with --duration).")
    var `repeat`: Int?

    @Option(
        parsing: .unconditional,
        help: "Replay the inputs over and over for this many seconds, at most 604800 (instead of --repeat).")
    var duration: SecondsArgument?

    @Option(
        parsing: .unconditional,
        help:
            "Start messages at this rate per second, 0.001 to 1000000 in decimal digits (such as 50 or 0.5), whatever the latency (open loop; default: as fast as replies come)."
    )
    var rate: DecimalArgument?

    @Option(
        parsing: .unconditional,
        help:
            "Carry all connections on this many SwiftNIO event loop threads, 1 to 256 (default: a thread of its own per connection, with a blocking socket, as a C MTA does; the faster here)."
    )
    var threads: Int?

    @Flag(
        help:
            "Judge every transaction and every connection's OPTNEG, CONNECT and HELO, and with --pcap every session replayed again (--repeat, --duration), with the full state machine, even one whose exchange repeats one already judged byte for byte from the same state (default: such an exchange is sent from the record and each reply compared with the recorded one; the first difference goes back to the state machine)."
    )
    var noExchangeReuse = false

    func validate() throws {
        try NumericOption.check(connections, "--connections", in: 1...10_000)
        try NumericOption.check(messagesPerConnection, "--messages-per-connection", in: 1...1_000_000_000)
        try NumericOption.check(`repeat`, "--repeat", in: 1...1_000_000_000)
        try NumericOption.check(duration, "--duration", in: NumericOption.durationSeconds)
        try NumericOption.check(rate, "--rate", in: NumericOption.ratePerSecond, unit: "messages per second")
        try NumericOption.check(threads, "--threads", in: 1...256)
        if `repeat` != nil, duration != nil {
            throw ValidationError("--repeat and --duration cannot be combined: give a count or a time, not both")
        }
    }

    /// The settings these options give.
    var settings: LoadSettings {
        LoadSettings(
            connections: connections, messagesPerConnection: messagesPerConnection, repeat: `repeat` ?? 1,
            duration: duration?.seconds, rate: rate?.value, threads: threads, reusesExchanges: !noExchangeReuse)
    }
}
