import NIOCore
import Testing

@testable import MilterClient

/// Why a connection could not be opened, in words rather than NIO's error types.
@Suite struct ConnectFailureReasonTests {
    /// A milter that accepts and closes at once closes the channel while its handlers are being added: NIO says
    /// `notFound` or `ioOnClosedChannel`.
    @Test(arguments: [
        ChannelPipelineError.notFound as any Error, ChannelError.ioOnClosedChannel, ChannelError.alreadyClosed,
    ])
    func aCloseAtOnceIsSaidInWords(error: any Error) {
        #expect(
            ConnectFailureReason.describe(error, timeout: .seconds(1))
                == "the milter closed the connection as soon as it accepted it")
    }

    @Test func aConnectTimeoutNamesTheTimeout() {
        #expect(
            ConnectFailureReason.describe(ChannelError.connectTimeout(.seconds(2)), timeout: .seconds(2))
                == "no answer within 2 s (connect timed out)")
    }
}
