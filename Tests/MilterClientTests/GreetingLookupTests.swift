import MilterProtocol
import NIOCore
import Testing

@testable import MilterClient

/// `ExchangeMemoStore.greeting(for:)` answers from the greeting it found last when the client is the same, and
/// from its table otherwise: each client gets its own greeting however the lookups alternate, and a client that
/// differs from the last one in any field is not given its greeting.
@Suite struct GreetingLookupTests {
    static func greeting(for client: SMTPClient) -> GreetingMemo {
        let machine = MTAConnectionStateMachine(configuration: Fixtures.configuration(), client: client)
        let segment = ExchangeSegment(
            frames: ByteBuffer(bytes: [0, 0, 0, 1, 0x51]), queueIDRanges: [], expected: [], within: .zero)
        return GreetingMemo(segments: [segment], machineAfter: machine, digestAfter: nil)
    }

    @Test func eachClientGetsItsOwnGreeting() {
        let first = SMTPClient()
        let second = SMTPClient(helo: "other.example.test")
        let store = ExchangeMemoStore()
        let firstGreeting = Self.greeting(for: first)
        let secondGreeting = Self.greeting(for: second)
        #expect(store.greeting(for: first) == nil)
        store.keep(firstGreeting, for: first)
        store.keep(secondGreeting, for: second)
        for _ in 0..<2 {
            #expect(store.greeting(for: first) === firstGreeting)
            #expect(store.greeting(for: first) === firstGreeting)
            #expect(store.greeting(for: second) === secondGreeting)
        }
        // Unknown clients, after a lookup that found one differing from each in one field only.
        #expect(store.greeting(for: SMTPClient(port: 25)) == nil)
        #expect(store.greeting(for: second) === secondGreeting)
        #expect(
            store.greeting(for: SMTPClient(helo: "other.example.test", login: SASLLogin(name: "user", method: "PLAIN")))
                == nil)
        #expect(store.greeting(for: first) === firstGreeting)
        #expect(store.greeting(for: SMTPClient(address: nil)) == nil)
    }
}
