import Testing

@testable import MilterClient

@Test func moduleLinks() {
    #expect(Bool(true))
}
