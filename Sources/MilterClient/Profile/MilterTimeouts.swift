import MilterProtocol
import NIOCore

/// The I/O timeouts an MTA applies to a milter. Each is the longest wait for the next reply
/// frame, so every PROGRESS (indeed every frame) starts the wait again; ``stepDeadline`` bounds
/// the whole step, however many frames come.
public struct MilterTimeouts: Hashable, Sendable {
    /// Connecting to the milter.
    public var connect: TimeAmount
    /// OPTNEG and the envelope events: CONNECT, HELO, MAIL, RCPT, DATA, UNKNOWN.
    public var command: TimeAmount
    /// HEADER, EOH and BODY.
    public var content: TimeAmount
    /// End of message, where the milter does its work.
    public var endOfMessage: TimeAmount
    /// The longest a step may take from its command to its final reply, however many frames
    /// come meanwhile: endless PROGRESS, or a milter that sends one byte at a time, ends with a
    /// ``Finding/Kind/deadline(_:replies:progress:)`` finding.
    public var stepDeadline: TimeAmount

    /// Creates timeouts; the step deadline defaults to ``defaultDeadline(command:content:endOfMessage:)``.
    public init(
        connect: TimeAmount, command: TimeAmount, content: TimeAmount, endOfMessage: TimeAmount,
        stepDeadline: TimeAmount? = nil
    ) {
        self.connect = connect
        self.command = command
        self.content = content
        self.endOfMessage = endOfMessage
        self.stepDeadline =
            stepDeadline ?? Self.defaultDeadline(command: command, content: content, endOfMessage: endOfMessage)
    }

    /// One timeout for everything, as `milter-replay --timeout` sets it; the step deadline is
    /// twice that.
    public init(all: TimeAmount) { self.init(connect: all, command: all, content: all, endOfMessage: all) }

    /// Twice the longest reply timeout: a milter that keeps a step alive with PROGRESS gets as
    /// long again as its slowest silent wait, and no longer.
    public static func defaultDeadline(
        command: TimeAmount, content: TimeAmount, endOfMessage: TimeAmount
    )
        -> TimeAmount
    {
        let longest = max(command.nanoseconds, content.nanoseconds, endOfMessage.nanoseconds)
        let (doubled, overflow) = longest.multipliedReportingOverflow(by: 2)
        return .nanoseconds(overflow ? .max : doubled)
    }

    /// Postfix: `milter_connect_timeout` 30 s, `milter_command_timeout` 30 s, `milter_content_timeout` 300 s.
    public static let postfix = MilterTimeouts(
        connect: .seconds(30), command: .seconds(30), content: .seconds(300), endOfMessage: .seconds(300))
    /// Sendmail's default `T=C:5m;S:10s;R:10s;E:5m`: connect 5 min, and each reply read within 10 s (R),
    /// at end of message too; E is a cap on the whole of end of message, from the command to its final
    /// reply, which PROGRESS does not extend (`milter.c`, the loop after `eomsent`). So a milter silent
    /// for 11 s at end of message fails, and one that sends PROGRESS fails at 5 min.
    public static let sendmail = MilterTimeouts(
        connect: .minutes(5), command: .seconds(10), content: .seconds(10), endOfMessage: .seconds(10),
        stepDeadline: .minutes(5))

    /// The timeout for the replies to a command.
    public func timeout(for command: MilterCommand.ID) -> TimeAmount {
        switch command {
        case .header, .endOfHeaders, .body: content
        case .endOfMessage: endOfMessage
        default: self.command
        }
    }
}
