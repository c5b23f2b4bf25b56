import Testing

@testable import MilterProtocol

@Test func moduleLinks() {
    #expect(Bool(true))
}
