import Testing

extension Tag {
    /// Tests that drive the real reference milter over a loopback socket.
    @Tag static var integration: Self
}
