import Foundation
import MilterProtocol
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import MilterClient

/// A replayed session on a blocking connection: steps that take no reply are held and leave with
/// the next step that does (or with the close), in one write, as the steps of a message do.
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
            check.wait()
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

    /// A peeking milter on a listener of its own, and a blocking connection to it that has replayed CONNECT
    /// and HELO (both without a reply); the listener must outlive the connection.
    static func connected() throws -> (BlockingConnectTests.Listener, PeekingMilter, BlockingMilterConnection) {
        let listener = try BlockingConnectTests.Listener(unix: false, backlog: 4)
        let milter = PeekingMilter()
        let fd = listener.fd
        Thread.detachNewThread { milter.serve(fd) }
        let connection = try BlockingMilterConnection.open(to: listener.address)
        let connect = ConnectInfo(hostname: "client.example.org", address: .inet(address: "192.0.2.1", port: 4711))
        #expect(connection.replay(.connect(connect), macros: []).delivery == .sentWithoutReply)
        #expect(connection.replay(.helo(MilterString("client.example.org")), macros: []).delivery == .sentWithoutReply)
        return (listener, milter, connection)
    }

    /// Has the milter note whether anything arrived yet.
    static func peek(_ milter: PeekingMilter) {
        milter.check.signal()
        milter.checked.wait()
    }

    @Test func stepsWithoutAReplyLeaveWithTheNextStepThatTakesOne() throws {
        let (listener, milter, connection) = try Self.connected()
        let macros = [MacroDefinition(stage: MilterCommand.ID.mail.rawValue, macros: [])]
        #expect(
            connection.replay(.mail(EnvelopeAddress(address: "<a@example.org>")), macros: macros).delivery
                == .sentWithoutReply)
        #expect(
            connection.replay(.recipient(EnvelopeAddress(address: "<b@example.org>")), macros: []).delivery
                == .sentWithoutReply)
        Self.peek(milter)
        #expect(milter.arrivedBeforeData.withLockedValue { $0 } == false, "the steps without a reply went at once")
        let data = connection.replay(.data, macros: [])
        #expect(data.replies == [.continue])
        connection.closeWithoutQuit()
        milter.done.wait()
        #expect(milter.commands.withLockedValue { $0 } == Array("CHMRT".utf8))
        withExtendedLifetime(listener) {}
    }

    @Test func heldStepsLeaveWithTheClose() throws {
        let (listener, milter, connection) = try Self.connected()
        Self.peek(milter)
        connection.closeWithoutQuit()
        milter.done.wait()
        #expect(milter.arrivedBeforeData.withLockedValue { $0 } == false)
        #expect(milter.commands.withLockedValue { $0 } == Array("CH".utf8))
        withExtendedLifetime(listener) {}
    }

    /// A connection let go with steps still held (no QUIT, no close asked for) writes them before its socket closes.
    @Test func heldStepsLeaveWhenTheConnectionIsLetGo() throws {
        let listener: BlockingConnectTests.Listener
        let milter: PeekingMilter
        do {
            let (opened, peeking, connection) = try Self.connected()
            (listener, milter) = (opened, peeking)
            withExtendedLifetime(connection) { Self.peek(milter) }
        }
        milter.done.wait()
        #expect(milter.arrivedBeforeData.withLockedValue { $0 } == false)
        #expect(milter.commands.withLockedValue { $0 } == Array("CH".utf8))
        withExtendedLifetime(listener) {}
    }
}
