import MilterProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Decision {
    /// Whether `other` is this decision byte for byte: every text the same UTF-8, not only equal as Swift strings,
    /// which compare canonically equivalent texts as equal (`é` as one code point and as `e` with a combining
    /// accent). What ``EndOfMessageAnswerMemo`` reuses an answer by: the answer's frames carry the bytes of the
    /// decision they were built from.
    func hasSameBytes(as other: Decision) -> Bool {
        isMemoryBudgetRefusal == other.isMemoryBudgetRefusal && Self.same(reason, other.reason)
            && verdict.hasSameBytes(as: other.verdict) && modifications.count == other.modifications.count
            && zip(modifications, other.modifications).allSatisfy { $0.hasSameBytes(as: $1) }
    }

    /// Whether the two texts are the same UTF-8. `==` first: it is quick when they are (one storage, or bytes
    /// compared at once when both are known to be in normal form, as ASCII is), and false is false in bytes too.
    static func same(_ left: String, _ right: String) -> Bool {
        guard left == right else { return false }
        var left = left
        var right = right
        return left.withUTF8 { leftBytes in
            right.withUTF8 { rightBytes in
                leftBytes.count == rightBytes.count
                    && (leftBytes.isEmpty
                        || memcmp(leftBytes.baseAddress!, rightBytes.baseAddress!, leftBytes.count) == 0)
            }
        }
    }

    static func same(_ left: String?, _ right: String?) -> Bool {
        switch (left, right) {
        case (nil, nil): true
        case (let left?, let right?): same(left, right)
        default: false
        }
    }
}

extension Verdict {
    fileprivate func hasSameBytes(as other: Verdict) -> Bool {
        switch (self, other) {
        case (.accept, .accept), (.discard, .discard): true
        case (.reject(let left), .reject(let right)), (.tempfail(let left), .tempfail(let right)):
            Self.same(left, right)
        case (.quarantine(let left), .quarantine(let right)): Decision.same(left, right)
        default: false
        }
    }

    private static func same(_ left: ReplyCode?, _ right: ReplyCode?) -> Bool {
        switch (left, right) {
        case (nil, nil): true
        case (let left?, let right?):
            left.code == right.code && Decision.same(left.enhancedCode, right.enhancedCode)
                && left.lines.count == right.lines.count
                && zip(left.lines, right.lines).allSatisfy { Decision.same($0, $1) }
        default: false
        }
    }
}

extension Modification {
    fileprivate func hasSameBytes(as other: Modification) -> Bool {
        switch (self, other) {
        case (.addHeader(let name, let value), .addHeader(let otherName, let otherValue)):
            Decision.same(name, otherName) && Decision.same(value, otherValue)
        case (
            .insertHeader(let index, let name, let value), .insertHeader(let otherIndex, let otherName, let otherValue)
        ):
            index == otherIndex && Decision.same(name, otherName) && Decision.same(value, otherValue)
        case (
            .changeHeader(let name, let occurrence, let value),
            .changeHeader(let otherName, let otherOccurrence, let otherValue)
        ):
            occurrence == otherOccurrence && Decision.same(name, otherName) && Decision.same(value, otherValue)
        case (.deleteHeader(let name, let occurrence), .deleteHeader(let otherName, let otherOccurrence)):
            occurrence == otherOccurrence && Decision.same(name, otherName)
        case (.addRecipient(let address, let arguments), .addRecipient(let otherAddress, let otherArguments)),
            (.changeSender(let address, let arguments), .changeSender(let otherAddress, let otherArguments)):
            Decision.same(address, otherAddress) && Decision.same(arguments, otherArguments)
        case (.deleteRecipient(let address), .deleteRecipient(let otherAddress)): Decision.same(address, otherAddress)
        case (.replaceBody(let bytes), .replaceBody(let otherBytes)): bytes == otherBytes
        default: false
        }
    }
}
