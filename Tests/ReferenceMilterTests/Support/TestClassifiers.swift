import MilterProtocol
import NIOConcurrencyHelpers
import ReferenceMilter

/// Records every message it sees and answers with a fixed decision.
final class RecordingClassifier: MailClassifier {
    let decision: Decision
    let needs: ClassifierNeeds
    private let box = NIOLockedValueBox<[MailInfo]>([])

    init(_ decision: Decision = .accept("ok"), needs: ClassifierNeeds = ClassifierNeeds()) {
        self.decision = decision
        self.needs = needs
    }

    var seen: [MailInfo] { box.withLockedValue { $0 } }

    func classify(_ mail: MailInfo) -> Decision {
        box.withLockedValue { $0.append(mail) }
        return decision
    }
}

/// Throws for subjects containing "throw", blocks its thread past the server's timeout for "hang", else accepts.
struct MisbehavingClassifier: MailClassifier {
    struct Failure: Error {}
    /// How long a "hang" keeps blocking after the server has given up on it (cancelled it).
    var hang: Duration = .milliseconds(300)

    func classify(_ mail: MailInfo) async throws -> Decision {
        if mail.subject.contains("throw") { throw Failure() }
        if mail.subject.contains("hang") {
            // Blocks its thread (it does not return when cancelled), as a synchronous DNS lookup would,
            // and returns only after the server's timeout has fired, however late that timer runs
            // on a busy machine (bounded, so that a server that never times out fails the test).
            let limit = ContinuousClock.now.advanced(by: .seconds(10))
            while !Task.isCancelled && ContinuousClock.now < limit { BlockingSleep.sleep(.milliseconds(1)) }
            BlockingSleep.sleep(hang)
        }
        return .accept("fine")
    }
}

/// Answers early checks: rejects recipients starting with "bad", tempfails HELO "slow".
struct EarlyClassifier: MailClassifier {
    var needs: ClassifierNeeds { ClassifierNeeds(earlyChecks: [.helo, .recipient]) }

    func check(_ event: EarlyEvent, _ mail: MailInfo) -> Verdict? {
        switch event {
        case .recipient(let entry) where entry.address.hasPrefix("bad"):
            .reject(.sanitized(code: 550, enhancedCode: "5.1.1", text: "no such user"))
        case .helo("slow"): .tempfail(nil)
        default: nil
        }
    }

    func classify(_ mail: MailInfo) -> Decision { .accept("recipients: \(mail.recipientAddresses.count)") }
}

enum BlockingSleep {
    static func sleep(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        _ = nanosleep(&request, &remaining)
    }
}

#if canImport(Glibc)
import Glibc
#endif
