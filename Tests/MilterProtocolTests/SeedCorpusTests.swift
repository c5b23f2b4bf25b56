import Foundation
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

/// The fuzz seeds in fixtures/fuzz/milterprotocol are the codec's bytes for a whole Postfix-shaped
/// session and for every fixture. This test pins them; `MILTER_WRITE_SEEDS=1 swift test --filter
/// SeedCorpusTests` rewrites them after a deliberate change.
@Suite struct SeedCorpusTests {
    static let directory = TestPaths.fixtures("fuzz/milterprotocol")

    static var seeds: [(String, [UInt8])] {
        get throws {
            var session: [UInt8] = []
            for command in PostfixTransaction.commands { session += try command.encodedBytes }
            var answers: [UInt8] = []
            for reply in PostfixTransaction.replies { answers += try reply.encodedBytes }
            return [
                ("postfix-session.commands", session), ("postfix-session.replies", answers),
                ("every-command-fixture.commands", CommandFixture.all.flatMap(\.bytes)),
                ("every-reply-fixture.replies", ReplyFixture.all.flatMap(\.bytes)),
            ]
        }
    }

    @Test func seedsMatchTheCodec() throws {
        let write = ProcessInfo.processInfo.environment["MILTER_WRITE_SEEDS"] == "1"
        for (name, bytes) in try Self.seeds {
            let url = Self.directory.appendingPathComponent(name)
            if write {
                try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
                try Data(bytes).write(to: url)
            }
            #expect(try Array(Data(contentsOf: url)) == bytes, "\(name)")
        }
    }

    /// The session seed decodes back to the session, as one stream.
    @Test func sessionSeedDecodes() throws {
        let url = Self.directory.appendingPathComponent("postfix-session.commands")
        #expect(try decodeCommands(Array(Data(contentsOf: url))) == PostfixTransaction.commands)
        let replies = Self.directory.appendingPathComponent("postfix-session.replies")
        #expect(try decodeReplies(Array(Data(contentsOf: replies))) == PostfixTransaction.replies)
    }
}
