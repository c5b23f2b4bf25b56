import MilterProtocol
import MilterTestSupport
import NIOConcurrencyHelpers
import Testing

@testable import ReferenceMilter

/// Records each message as its call is queued (``decideAtOnce(_:)`` is asked on the event loop just
/// before) and as the classifier is entered; "hold" waits until cancelled, the rest are accepted.
final class HoldingClassifier: MailClassifier {
    private let box = NIOLockedValueBox<(queued: [String], entered: [String], cancelled: [String])>(([], [], []))

    var queued: [String] { box.withLockedValue { $0.queued } }
    var entered: [String] { box.withLockedValue { $0.entered } }
    var cancelled: [String] { box.withLockedValue { $0.cancelled } }

    func decideAtOnce(_ mail: MailInfo) -> Decision? {
        box.withLockedValue { $0.queued.append(mail.subject) }
        return nil
    }

    func classify(_ mail: MailInfo) async throws -> Decision {
        box.withLockedValue { $0.entered.append(mail.subject) }
        guard mail.subject == "hold" else { return .accept("fine") }
        do {
            try await Task.sleep(for: .seconds(600))
        } catch {
            box.withLockedValue { $0.cancelled.append(mail.subject) }
            throw error
        }
        return .accept("held")
    }
}

/// A connection that closes gives up its classification: running, it is cancelled; queued, it
/// leaves the queue without taking the slot. Neither holds up the next connection's message.
@Suite(.tags(.integration)) struct ClosedConnectionClassificationTests {
    @Test func aClosedConnectionsClassificationIsCancelledAndTakesNoSlot() async throws {
        let classifier = HoldingClassifier()
        // One slot, as --threads 1; a classifier timeout far beyond the test: only the close may end "hold".
        let milter = try await startMilter(classifier) {
            $0.threads = 1
            $0.classifierTimeout = .seconds(600)
        }
        let holder = try await Self.session(milter)
        try await holder.send(Cmd.message(subject: "hold", queueID: "A"))
        try await waitUntil(timeout: .seconds(60)) { classifier.entered == ["hold"] }
        let waiter = try await Self.session(milter)
        try await waiter.send(Cmd.message(subject: "queued", queueID: "B"))
        try await waitUntil(timeout: .seconds(60)) { classifier.queued == ["hold", "queued"] }
        #expect(milter.server.classificationSlotsFree == 0)

        await waiter.close()
        await holder.close()
        try await waitUntil(timeout: .seconds(60)) { classifier.cancelled == ["hold"] }
        let next = try await Self.session(milter)
        #expect(try await next.message(Cmd.message(subject: "next", queueID: "C")).last == .accept)
        // The queued message of the closed connection never reached the classifier.
        #expect(classifier.entered == ["hold", "next"])
        try await waitUntil(timeout: .seconds(60)) { milter.server.classificationSlotsFree == 1 }
        await next.close()
        await milter.shutdown()
    }

    /// A connection past OPTNEG, CONNECT and HELO.
    static func session(_ milter: EmbeddedMilter) async throws -> TestMTA {
        let mta = try await TestMTA.connect(to: milter)
        try await mta.negotiate()
        try await mta.send([Cmd.connect, Cmd.helo])
        return mta
    }
}
