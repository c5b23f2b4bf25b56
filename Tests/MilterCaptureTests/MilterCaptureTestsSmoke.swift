import Testing

@testable import MilterCapture

@Test func moduleLinks() {
    #expect(Bool(true))
}
