import Logging
import MilterClient
import ReferenceMilter

extension TargetOptions {
    /// Runs `body` against `--target`, or, without one, against the embedded reference milter
    /// (in this process, on 127.0.0.1); returns its exit code.
    func withMilter(_ body: (MilterAddress) async throws -> Int32) async throws -> Int32 {
        try await Self.withMilter(at: target.map(address), body)
    }

    /// Runs `body` against `address`, or, when it is `nil`, against the embedded reference milter.
    static func withMilter(
        at address: MilterAddress?, _ body: (MilterAddress) async throws -> Int32
    ) async throws -> Int32 {
        if let address { return try await body(address) }
        var logger = Logger(label: "milter-replay.embedded")
        // What the embedded milter does shows in the replies milter-replay reports; its log would only repeat, on
        // standard error, the protocol errors that scenarios and conformance cases commit on purpose.
        logger.logLevel = .critical
        let embedded = try await EmbeddedMilter.start(logger: logger)
        let code: Int32
        do {
            code = try await body(.inet(host: embedded.host, port: embedded.port))
        } catch {
            await embedded.shutdown()
            throw error
        }
        await embedded.shutdown()
        return code
    }
}
