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

/// Throws for subjects containing "throw", sleeps past any timeout for "hang", else accepts.
struct MisbehavingClassifier: MailClassifier {
    struct Failure: Error {}
    var hang: Duration = .milliseconds(300)

    func classify(_ mail: MailInfo) async throws -> Decision {
        if mail.subject.contains("throw") { throw Failure() }
        if mail.subject.contains("hang") {
            // Blocks its thread (no cooperative cancellation), as a synchronous DNS lookup would.
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
