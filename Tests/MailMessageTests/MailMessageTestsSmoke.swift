import Testing

@testable import MailMessage

@Test func moduleLinks() {
    #expect(Bool(true))
}
