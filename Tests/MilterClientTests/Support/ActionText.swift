import MilterClient
import MilterProtocol
import NIOCore

extension MTAConnectionStateMachine.Action {
    /// The action in one short line, for tests that walk the machine step by step:
    /// `write D C` (the command bytes of the frames), `wait 30 s`, `close`,
    /// `step C awaited c`, `result reject 550 …`, `finding timeout`.
    var text: String {
        switch self {
        case .write(var bytes):
            var decoder = MilterCommandDecoder()
            var ids: [String] = []
            while let command = try? decoder.decode(buffer: &bytes) {
                ids.append(String(Character(Unicode.Scalar(command.id.rawValue))))
            }
            return "write " + ids.joined(separator: " ")
        case .wait(let timeout): return "wait \(timeout.nanoseconds / 1_000_000) ms"
        case .close: return "close"
        case .deliverStep(let record): return "step " + record.text
        case .deliverTransaction(let result):
            return (["result", result.verdict.rawValue] + (result.smtpReply.map { [$0] } ?? [])).joined(separator: " ")
        case .deliverFinding(let finding): return "finding " + (finding?.code ?? "none")
        }
    }
}

extension StepRecord {
    /// `C awaited c`, `R sentWithoutReply`, `E awaited finding:timeout 451 …`.
    var text: String {
        var words = [String(Character(Unicode.Scalar(command.rawValue))), "\(delivery)"]
        words += replies.map { String(Character(Unicode.Scalar($0.id.rawValue))) }
        if let finding { words.append("finding:" + finding.code) }
        if let smtpReply { words.append(smtpReply) }
        return words.joined(separator: " ")
    }
}
