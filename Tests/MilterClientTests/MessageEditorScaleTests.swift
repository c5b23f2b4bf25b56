import MailMessage
import MilterProtocol
import Testing

@testable import MilterClient

/// Many header edits of a message with many header fields: same result as the straightforward algorithm,
/// without scanning every field for each edit.
@Suite struct MessageEditorScaleTests {
    /// A small deterministic generator (SplitMix64), so a failure can be replayed.
    private struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// The straightforward algorithm: one pass over every field per edit (what MessageEditor did before).
    private struct Reference {
        var headers: [(field: RawHeaderField, hidden: Bool)]

        mutating func apply(_ reply: MilterReply) {
            switch reply {
            case .addHeader(let field): headers.append((make(field), false))
            case .insertHeader(let indexed):
                headers.insert((make(indexed.field), false), at: min(Int(indexed.index), headers.count))
            case .changeHeader(let indexed):
                var wanted = max(1, Int(indexed.index))
                let name = indexed.field.name.string
                let position = headers.indices.first { index in
                    guard !headers[index].hidden, headers[index].field.hasName(name) else { return false }
                    wanted -= 1
                    return wanted == 0
                }
                if indexed.field.value.isEmpty {
                    if let position { headers.remove(at: position) }
                } else if let position {
                    headers[position].field = make(indexed.field)
                } else {
                    headers.append((make(indexed.field), false))
                }
            default: break
            }
        }

        private func make(_ field: HeaderField) -> RawHeaderField {
            RawHeaderField(nameBytes: field.name.bytes, valueBytes: [0x20] + field.value.bytes)
        }
    }

    private static let received = RawHeaderField(name: "Received", value: " from x by y")

    private static func editor(_ fields: [RawHeaderField]) -> MessageEditor {
        MessageEditor(
            ownReceived: received, headerFields: fields, sender: "<a@example.org>", recipients: ["<b@example.net>"],
            body: Array("body\r\n".utf8), headerLeadingSpace: false)
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func randomEditsMatchTheStraightforwardAlgorithm(seed: UInt64) {
        var random = Generator(state: seed)
        // Obsolete syntax leaves a space before the colon: "X-B " is still an X-B field.
        let fieldNames = ["From", "To", "X-A", "x-a", "X-B ", "Subject", "Received"]
        let wantedNames = ["x-a", "X-A", "X-B", "To", "Received", "X-None", "subject"]
        let fields = (0..<150).map { number in
            RawHeaderField(name: fieldNames.randomElement(using: &random)!, value: " \(number)")
        }
        var editor = Self.editor(fields)
        var reference = Reference(headers: [(Self.received, true)] + fields.map { ($0, false) })
        for number in 0..<1500 {
            let name = MilterString(wantedNames.randomElement(using: &random)!)
            let value: MilterString = Int.random(in: 0..<3, using: &random) == 0 ? "" : MilterString("v\(number)")
            let reply: MilterReply
            switch Int.random(in: 0..<10, using: &random) {
            case 0: reply = .addHeader(HeaderField(name: name, value: value))
            case 1, 2, 3:
                let index = UInt32.random(in: 0...200, using: &random)
                reply = .insertHeader(IndexedHeaderField(index: index, field: HeaderField(name: name, value: "i")))
            default:
                let index = UInt32.random(in: 0...60, using: &random)
                reply = .changeHeader(IndexedHeaderField(index: index, field: HeaderField(name: name, value: value)))
            }
            editor.apply(reply)
            reference.apply(reply)
        }
        #expect(editor.result.headerFields == reference.headers.map(\.field))
    }

    @Test func deletingEveryFieldLeavesOnlyTheHiddenOne() {
        let fields = (0..<300).map { RawHeaderField(name: "X-A", value: " \($0)") }
        var editor = Self.editor(fields)
        for _ in 0..<300 {
            editor.apply(.changeHeader(IndexedHeaderField(index: 1, field: HeaderField(name: "x-a", value: ""))))
        }
        #expect(editor.result.headerFields == [Self.received])
        editor.apply(.insertHeader(IndexedHeaderField(index: 5, field: HeaderField(name: "X-B", value: "b"))))
        #expect(editor.result.headerFields.map(\.name) == ["Received", "X-B"])
    }

    @Test func editsDoNotScanEveryFieldEachTime() {
        let fieldCount = 20_000
        let fields = Array(repeating: RawHeaderField(name: "X", value: " y"), count: fieldCount)
        var editor = Self.editor(fields)
        let editCount = 10_000
        for number in 0..<editCount {
            let reply: MilterReply
            switch number % 3 {
            case 0:
                let field = HeaderField(name: MilterString("X-None\(number)"), value: "v")
                reply = .changeHeader(IndexedHeaderField(index: 1, field: field))
            case 1:
                let field = HeaderField(name: "x", value: "last")
                reply = .changeHeader(IndexedHeaderField(index: UInt32(fieldCount), field: field))
            default:
                reply = .insertHeader(
                    IndexedHeaderField(index: UInt32(fieldCount / 2), field: HeaderField(name: "X-I", value: "i")))
            }
            editor.apply(reply)
        }
        let message = editor.result
        #expect(message.headerFields.count == 1 + fieldCount + editCount - editCount / 3)
        #expect(message.headerFields[1 + fieldCount / 2 - 1].name == "X-I")
        // One pass over every field per edit would be about editCount × fieldCount = 200,000,000 visits.
        let squareRoot = Int(Double(fieldCount).squareRoot())
        #expect(editor.headerVisits <= fieldCount + 4 * editCount * squareRoot)
    }
}
