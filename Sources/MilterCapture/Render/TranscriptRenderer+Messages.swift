import MilterProtocol

extension TranscriptRenderer {
    /// A reply as a transcript line shows it, without time or packet: `ADDHEADER name="X-Spam" value="no"`.
    public func text(of reply: MilterReply) -> String { text(of: FrameDescription.describe(reply)) }

    /// A command as a transcript line shows it, without time or packet: `HELO text="mx.example.test"`.
    public func text(of command: MilterCommand) -> String { text(of: FrameDescription.describe(command)) }

    private func text(of description: FrameDescription) -> String {
        description.fields.reduce(description.name) { $0 + " \($1.name)=\(format($1.value))" }
    }
}
