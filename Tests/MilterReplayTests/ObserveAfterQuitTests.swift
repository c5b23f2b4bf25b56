import MilterTestSupport
import Testing

/// `milter-replay --observe-after-quit SECONDS` watches each connection after QUIT in the
/// background: a reply the milter sends after QUIT is a finding in the run's output and summary,
/// and the next connection does not wait for the watch.
///
/// The milter answers the k-th QUIT only once the OPTNEG of a connection opened after it has
/// arrived (the (connections + k)-th OPTNEG; the last ones, with no later connection, answer once
/// the run's fourth connection has negotiated). A load that waited for the watch before opening its next
/// connection would get none of those answers within the watch (a minute), and the run would not
/// end before the deadline: every finding checks that the next connection's OPTNEG reached the
/// milter while the previous connection was still watched.
struct ObserveAfterQuitTests {
    /// With a thread per connection (the default), and with event loop threads (`--threads`).
    @Test(arguments: [
        (connections: 1, messagesPerConnection: 1, driver: []), (connections: 2, messagesPerConnection: 2, driver: []),
        (connections: 2, messagesPerConnection: 2, driver: ["--threads", "2"]),
    ])
    func aReplyAfterQuitIsAFindingAndTheNextConnectionDoesNotWait(
        connections: Int, messagesPerConnection: Int, driver: [String]
    ) async throws {
        let sessions = 4
        let negotiations = ScriptCounter()
        let quits = ScriptCounter()
        let milter = try await ScriptedMilter(
            script: Scripts.wellBehaved(override: { command in
                switch command.id {
                case .optionNegotiation:
                    negotiations.increment()
                    return nil
                case .quit:
                    let laterConnection = min(connections + quits.increment(), sessions)
                    return [.waitFor(negotiations, reaching: laterConnection), .reply(.continue)]
                default: return nil
                }
            }))
        let result = try await ReplayBinary.run(
            [
                "--target", "127.0.0.1:\(milter.port)", "--observe-after-quit", "60", "--connections", "\(connections)",
                "--messages-per-connection", "\(messagesPerConnection)", "--repeat",
                "\(sessions * messagesPerConnection)", "--timeout", "30", ReplayBinary.fixture("replay/accept.eml"),
            ] + driver, timeout: .seconds(50))
        await milter.stop()
        let findingLines = result.stdout.split(separator: "\n").filter {
            $0.contains("FINDING replyToNoReplyCommand at QUIT")
        }
        // The connections take the messages as they come free, so one may end with fewer than its share and
        // another connection open: each connection's QUIT is answered, and its last message carries the finding.
        let opened = negotiations.value
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(opened >= sessions)
        #expect(findingLines.count == opened, "\(result.stdout)")
        #expect(result.stdout.contains("findings: \(opened)  (replyToNoReplyCommand \(opened))"), "\(result.stdout)")
        #expect(result.stdout.contains("messages: \(sessions * messagesPerConnection)"), "\(result.stdout)")
    }

    @Test func itDoesNotApplyToACaptureReplay() async throws {
        let result = try await ReplayBinary.run(
            ["--pcap", ReplayBinary.fixture("pcap/postfix-cmilter-lo.pcap"), "--observe-after-quit", "1"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--observe-after-quit does not apply to --pcap"), "\(result.stderr)")
    }
}
