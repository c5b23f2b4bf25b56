import Foundation
import MilterProtocol
import MilterTestSupport
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import MilterClient

/// A replayed session on a blocking connection: steps that take no reply are held and leave with
/// the next step that does (or with the close), in one write, as the steps of a message do.
///
/// The connection and the waits for the milter block their thread: each session runs on a thread of its own
/// (``offPool(_:)``), never on one of the cooperative pool's two threads that every other test needs meanwhile.
@Suite(.timeLimit(.minutes(1))) struct BlockingReplayBatchTests {
    /// A milter on a raw socket, on a thread of its own: answers OPTNEG with NR on CONNECT, HELO,
    /// MAIL and RCPT, then, when told to, notes whether anything has come since; then answers DATA
    /// with CONTINUE and reads to the end, noting the command of every frame (MACRO packets aside).
    final class PeekingMilter: Sendable {
        let commands = NIOLockedValueBox<[UInt8]>([])
        let arrivedBeforeData = NIOLockedValueBox<Bool?>(nil)
        let check = DispatchSemaphore(value: 0)
        let checked = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)

        func serve(_ listener: Int32) {
            let peer = accept(listener, nil, nil)
            defer {
                close(peer)
                done.signal()
            }
            guard peer >= 0, Self.frame(peer)?.first == UInt8(ascii: "O") else { return }
            var answer = ByteBuffer()
            _ = try? answer.writeMilterReply(
                .optionNegotiation(
                    OptionNegotiation(
                        version: .v6, actions: [],
                        protocolFlags: [.noReplyConnect, .noReplyHelo, .noReplyMail, .noReplyRecipient])))
            _ = answer.withUnsafeReadableBytes { send(peer, $0.baseAddress, $0.count, 0) }
            guard check.wait(timeout: .now() + .seconds(30)) == .success else { return }
            var byte: UInt8 = 0
            arrivedBeforeData.withLockedValue { $0 = recv(peer, &byte, 1, Int32(MSG_DONTWAIT | MSG_PEEK)) > 0 }
            checked.signal()
            while let frame = Self.frame(peer) {
                guard let command = frame.first else { continue }
                if command != UInt8(ascii: "D") { commands.withLockedValue { $0.append(command) } }
                if command == UInt8(ascii: "T") {
                    let reply: [UInt8] = [0, 0, 0, 1, UInt8(ascii: "c")]
                    _ = reply.withUnsafeBytes { send(peer, $0.baseAddress, 5, 0) }
                }
            }
        }

        /// The payload of the next frame, or nil at the end of the stream.
        static func frame(_ fd: Int32) -> [UInt8]? {
            guard let length = read(fd, count: 4) else { return nil }
            let count = length.reduce(0) { $0 << 8 | Int($1) }
            return read(fd, count: count)
        }

        static func read(_ fd: Int32, count: Int) -> [UInt8]? {
            var bytes = [UInt8](repeating: 0, count: count)
            var got = 0
            while got < count {
                let n = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, count - got, 0) }
                guard n > 0 else { return nil }
                got += n
            }
            return bytes
        }
    }

    /// What a session showed: the delivery of each step replayed (CONNECT and HELO first), the replies to DATA,
    /// whether anything had reached the milter when it looked, the commands it read, and whether it finished.
    struct Seen: Sendable {
        var deliveries: [StepRecord.Delivery] = []
        var dataReplies: [MilterReply] = []
        var arrivedBeforeData: Bool?
        var commands: [UInt8] = []
        var milterFinished = false
    }

    /// A peeking milter on a listener of its own, and a blocking connection to it that replays CONNECT and HELO
    /// (both without a reply), then runs `steps`; once `steps` has returned, the connection is let go and the
    /// milter's end is waited for. All of it on a thread of its own.
    static func session(
        _ steps: @escaping @Sendable (BlockingMilterConnection, PeekingMilter, inout Seen) -> Void
    ) async throws -> Seen {
        let listener = try BlockingConnectTests.Listener(unix: false, backlog: 4)
        let milter = PeekingMilter()
        let (fd, address) = (listener.fd, listener.address)
        Thread.detachNewThread { milter.serve(fd) }
        let seen = try await offPool {
            var seen = Seen()
            try Self.replay(to: address, milter: milter, into: &seen, steps)
            seen.milterFinished = milter.done.wait(timeout: .now() + .seconds(30)) == .success
            seen.arrivedBeforeData = milter.arrivedBeforeData.withLockedValue { $0 }
            seen.commands = milter.commands.withLockedValue { $0 }
            return seen
        }
        withExtendedLifetime(listener) {}
        return seen
    }

    /// Opens the connection, replays CONNECT and HELO and runs `steps`; the connection goes when this returns.
    private static func replay(
        to address: MilterAddress, milter: PeekingMilter, into seen: inout Seen,
        _ steps: (BlockingMilterConnection, PeekingMilter, inout Seen) -> Void
    ) throws {
        let connection = try BlockingMilterConnection.open(to: address)
        let connect = ConnectInfo(hostname: "client.example.org", address: .inet(address: "192.0.2.1", port: 4711))
        seen.deliveries.append(connection.replay(.connect(connect), macros: []).delivery)
        seen.deliveries.append(connection.replay(.helo(MilterString("client.example.org")), macros: []).delivery)
        withExtendedLifetime(connection) { steps(connection, milter, &seen) }
    }

    /// Has the milter note whether anything arrived yet.
    static func peek(_ milter: PeekingMilter) {
        milter.check.signal()
        _ = milter.checked.wait(timeout: .now() + .seconds(30))
    }

    @Test func stepsWithoutAReplyLeaveWithTheNextStepThatTakesOne() async throws {
        let seen = try await Self.session { connection, milter, seen in
            let macros = [MacroDefinition(stage: MilterCommand.ID.mail.rawValue, macros: [])]
            seen.deliveries.append(
                connection.replay(.mail(EnvelopeAddress(address: "<a@example.org>")), macros: macros).delivery)
            seen.deliveries.append(
                connection.replay(.recipient(EnvelopeAddress(address: "<b@example.org>")), macros: []).delivery)
            Self.peek(milter)
            seen.dataReplies = connection.replay(.data, macros: []).replies
            connection.closeWithoutQuit()
        }
        #expect(seen.deliveries == Array(repeating: .sentWithoutReply, count: 4))
        #expect(seen.arrivedBeforeData == false, "the steps without a reply went at once")
        #expect(seen.dataReplies == [.continue])
        #expect(seen.milterFinished)
        #expect(seen.commands == Array("CHMRT".utf8))
    }

    @Test func heldStepsLeaveWithTheClose() async throws {
        let seen = try await Self.session { connection, milter, _ in
            Self.peek(milter)
            connection.closeWithoutQuit()
        }
        #expect(seen.deliveries == [.sentWithoutReply, .sentWithoutReply])
        #expect(seen.milterFinished)
        #expect(seen.arrivedBeforeData == false)
        #expect(seen.commands == Array("CH".utf8))
    }

    /// A connection let go with steps still held (no QUIT, no close asked for) writes them before its socket closes.
    @Test func heldStepsLeaveWhenTheConnectionIsLetGo() async throws {
        let seen = try await Self.session { _, milter, _ in Self.peek(milter) }
        #expect(seen.deliveries == [.sentWithoutReply, .sentWithoutReply])
        #expect(seen.milterFinished)
        #expect(seen.arrivedBeforeData == false)
        #expect(seen.commands == Array("CH".utf8))
    }
}
