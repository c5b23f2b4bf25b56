import MilterClient
import MilterProtocol
import NIOCore

/// Plays a ``RawScript``: the prefix as an MTA would, then the bytes; judges how the milter takes them.
struct RawCaseRunner: Sendable {
    let address: MilterAddress
    let configuration: MilterClientConfiguration
    /// How long the milter has to close (or answer) after the bad bytes.
    static let closeTimeout: TimeAmount = .seconds(10)

    func run(_ script: RawScript, offer: OptionNegotiation) async throws(MilterConnectError) -> ConformanceResult.Status
    {
        let timeouts = configuration.effectiveTimeouts
        let socket: RawSocket
        do {
            socket = try await RawSocket.open(address, timeout: timeouts.connect)
        } catch {
            return .fail("cannot connect to the milter: \(error)")
        }
        defer { Task { await socket.close() } }
        var reader = FrameReader(socket: socket, timeout: timeouts.command)
        if script.prefix != .none {
            if let problem = await prefix(script.prefix, offer: offer, reader: &reader) { return problem }
        }
        await socket.write(script.bytes)
        if script.shutsAfterWriting { await socket.shutdownOutput() }
        let start = reader.offset
        let (bytes, closed) = await socket.wait(upTo: Self.closeTimeout) { bytes, closed in
            closed || (script.allowsOneReply && FrameReader.frame(in: bytes, at: start) != nil)
        }
        if let problem = Self.judge(Array(bytes[start...]), closed: closed, allowsOneReply: script.allowsOneReply) {
            return .fail(problem)
        }
        let again = SessionCaseRunner(address: address, configuration: configuration)
        if case .failure(let finding) = try await again.negotiate(offer) {
            return .fail("after that the milter no longer negotiates on a new connection: \(finding)")
        }
        return .pass
    }

    static func judge(_ after: [UInt8], closed: Bool, allowsOneReply: Bool) -> String? {
        if after.isEmpty {
            return closed ? nil : "the milter neither closed the connection nor answered within 10 s"
        }
        let shown = after.prefix(16).map { String($0, radix: 16) }.joined(separator: " ")
        guard allowsOneReply else {
            return "the milter answered \(after.count) bytes (\(shown)…) instead of closing the connection"
        }
        guard let (frame, length) = FrameReader.frame(in: after, at: 0), length == after.count,
            (try? MilterReply(frame: frame)) != nil
        else { return "the milter answered \(after.count) bytes (\(shown)…) that are not one well-formed reply" }
        return nil
    }

    /// Sends the prefix, reading the replies the agreement calls for; a problem (or a verdict that ends the
    /// session before the bytes can be sent) is the case's result.
    private func prefix(
        _ prefix: RawScript.Prefix, offer: OptionNegotiation, reader: inout FrameReader
    ) async -> ConformanceResult.Status? {
        await reader.socket.write(Self.encode(.optionNegotiation(offer)))
        guard case .optionNegotiation(let answer)? = await reader.next() else {
            return .fail("no OPTNEG answer to the MTA's offer")
        }
        guard prefix == .body else { return nil }
        let agreed: NegotiatedOptions
        do { agreed = try Negotiation.mtaAgreement(offer: offer, answer: answer).agreed } catch {
            return .fail("negotiation: \(error)")
        }
        let header = HeaderField(name: "Subject", value: "conformance")
        let commands: [MilterCommand] = [
            .connect(CaseBuilder.client), .helo("client.example.test"), .mail(EnvelopeAddress(address: "<a@b.test>")),
            .recipient(EnvelopeAddress(address: "<c@d.test>")), .data, .header(header), .endOfHeaders,
        ]
        for command in commands where agreed.sends(command.id) {
            await reader.socket.write(Self.encode(command))
            guard agreed.awaitsReply(to: command.id) else { continue }
            guard let reply = await reader.nextFinal() else { return .fail("no reply to \(command.id)") }
            if reply != .continue { return .skip("the milter ended the session at \(command.id) (\(reply.id))") }
        }
        return nil
    }

    static func encode(_ command: MilterCommand) -> [UInt8] {
        var encoder = MilterEncoder()
        guard var buffer = try? encoder.encode(commands: [command]) else { return [] }
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }
}

/// Reads reply frames from a ``RawSocket``'s bytes.
struct FrameReader {
    let socket: RawSocket
    let timeout: TimeAmount
    /// Where the next frame starts.
    var offset = 0

    /// The next reply, or nil on a timeout, a close or garbage.
    mutating func next() async -> MilterReply? {
        let start = offset
        let (bytes, _) = await socket.wait(upTo: timeout) { bytes, closed in
            closed || Self.frame(in: bytes, at: start) != nil
        }
        guard let (frame, length) = Self.frame(in: bytes, at: start) else { return nil }
        offset += length
        return try? MilterReply(frame: frame)
    }

    /// The next reply that is not PROGRESS.
    mutating func nextFinal() async -> MilterReply? {
        while let reply = await next() {
            if reply != .progress { return reply }
        }
        return nil
    }

    /// The frame starting at `start`, and its length with the 4 length bytes, once it is complete.
    static func frame(in bytes: [UInt8], at start: Int) -> (MilterFrame, Int)? {
        guard bytes.count - start >= 5 else { return nil }
        let length = bytes[start..<start + 4].reduce(0) { $0 << 8 | Int($1) }
        guard length >= 1, bytes.count - start - 4 >= length else { return nil }
        let payload = ByteBuffer(bytes: bytes[(start + 5)..<(start + 4 + length)])
        return (MilterFrame(command: bytes[start + 4], payload: payload), 4 + length)
    }
}
