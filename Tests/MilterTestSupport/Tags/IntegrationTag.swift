import Testing

extension Tag {
    /// Tests that talk to a milter over a real loopback or unix-domain socket; the other behaviour
    /// tests run on state machines or testing channels, with no socket.
    @Tag package static var integration: Self
}
