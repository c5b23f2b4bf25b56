import Testing

@testable import ReferenceMilter

@Test func moduleLinks() {
    #expect(Bool(true))
}
