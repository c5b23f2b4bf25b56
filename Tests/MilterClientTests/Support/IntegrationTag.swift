import Testing

extension Tag {
    /// Tests that talk to a milter over a real loopback or unix-domain socket.
    @Tag static var integration: Self
}
