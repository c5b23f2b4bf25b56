import MilterTestSupport
import NIOCore
import ReferenceMilter

extension TestMTA {
    /// Connects to an embedded milter's port on 127.0.0.1.
    static func connect(to milter: EmbeddedMilter, timeout: TimeAmount = .seconds(60)) async throws -> TestMTA {
        try await connect(port: milter.port, timeout: timeout)
    }
}
