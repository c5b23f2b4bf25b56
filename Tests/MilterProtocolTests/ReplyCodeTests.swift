import MilterProtocol
import Testing

/// The REPLYCODE builder makes only valid replies (pitfall 13).
@Suite struct ReplyCodeBuilderTests {
    @Test(
        arguments: [
            (550, "5.7.1", ["Rejected"], "550 5.7.1 Rejected"),
            (451, nil, ["Try later"], "451 Try later"),
            (550, "5.7.1", ["first", "second", "third"], "550-5.7.1 first\r\n550-5.7.1 second\r\n550 5.7.1 third"),
            (421, "4.3.2", ["100% busy"], "421 4.3.2 100%% busy"),
            (554, "5.7.0", ["%%", "%"], "554-5.7.0 %%%%\r\n554 5.7.0 %%"),
        ] as [(Int, String?, [String], String)])
    func buildsTheWireText(_ code: Int, _ enhanced: String?, _ lines: [String], _ text: String) throws {
        let reply = try ReplyCode(code: code, enhancedCode: enhanced, lines: lines)
        #expect(reply.text == MilterString(text))
        #expect(reply.reply == .replyCode(MilterString(text)))
        #expect(ReplyCode.problems(in: reply.text).isEmpty)
    }

    @Test(
        arguments: [
            ("text that reads as an enhanced code of another class", 550, nil, ["4.7.1 no"]),
            ("code below 400", 250, nil, ["ok"]), ("code above 599", 600, nil, ["x"]),
            ("code with 2 digits", 55, nil, ["x"]),
            ("class mismatch 5/4", 550, "4.7.1", ["x"]), ("class mismatch 4/5", 451, "5.7.1", ["x"]),
            ("enhanced code with 2 parts", 550, "5.7", ["x"]), ("enhanced subject of 4 digits", 550, "5.1000.1", ["x"]),
            ("enhanced code with a letter", 550, "5.7.a", ["x"]), ("no lines", 550, nil, []),
            ("CR", 550, nil, ["a\rb"]), ("LF", 550, nil, ["a\nb"]), ("CRLF", 550, "5.7.1", ["ok", "a\r\nb"]),
            ("NUL", 550, nil, ["a\u{0}b"]),
        ] as [(String, Int, String?, [String])])
    func refusesInvalidInput(_ name: String, _ code: Int, _ enhanced: String?, _ lines: [String]) {
        let error = capturedError { _ = try ReplyCode(code: code, enhancedCode: enhanced, lines: lines) }
        #expect(error?.code == .invalidReplyCode, "\(name)")
    }

    @Test func thirtyTwoLinesAreAcceptedAndThirtyThreeRefused() throws {
        let reply = try ReplyCode(code: 550, enhancedCode: "5.7.1", lines: (1...32).map { "line \($0)" })
        #expect(ReplyCode.problems(in: reply.text).isEmpty)
        let error = capturedError { _ = try ReplyCode(code: 550, lines: (1...33).map { "line \($0)" }) }
        #expect(error?.code == .invalidReplyCode)
    }

    /// libmilter's MAXREPLYLEN: 980 bytes of text per line, not counting the codes.
    @Test(arguments: [nil, "5.7.1"] as [String?])
    func lineOf980BytesIsAcceptedAnd981Refused(_ enhanced: String?) throws {
        let reply = try ReplyCode(code: 550, enhancedCode: enhanced, lines: [String(repeating: "x", count: 980)])
        #expect(ReplyCode.problems(in: reply.text).isEmpty)
        let error = capturedError {
            _ = try ReplyCode(code: 550, enhancedCode: enhanced, lines: [String(repeating: "x", count: 981)])
        }
        #expect(error?.code == .invalidReplyCode)
    }

    /// The limit applies to the wire text, after `%` doubling.
    @Test func percentDoublingCountsTowardsTheLimit() throws {
        let fits = try ReplyCode(code: 550, lines: [String(repeating: "%", count: 490)])
        #expect(ReplyCode.problems(in: fits.text).isEmpty)
        let error = capturedError { _ = try ReplyCode(code: 550, lines: [String(repeating: "%", count: 491)]) }
        #expect(error?.code == .invalidReplyCode)
    }

    /// Whatever the builder accepts, the checker accepts.
    @Test(arguments: [7, 8, 9] as [UInt64])
    func builtRepliesPassTheChecker(_ seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let alphabet = Array("abc %5.-\u{e9}\u{1F600}")
        for _ in 0..<200 {
            let code = Int.random(in: 400...599, using: &rng)
            let enhanced = Bool.random(using: &rng) ? "\(code / 100).\(Int.random(in: 0...999, using: &rng)).1" : nil
            let lines = (0..<Int.random(in: 1...3, using: &rng)).map { _ in
                String((0..<Int.random(in: 0...400, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            }
            guard let reply = try? ReplyCode(code: code, enhancedCode: enhanced, lines: lines) else { continue }
            #expect(ReplyCode.problems(in: reply.text).isEmpty, "\(reply.text.string)")
        }
    }
}

/// The REPLYCODE checker names every problem of a text received from a milter.
@Suite struct ReplyCodeCheckerTests {
    @Test(arguments: [
        "550 5.7.1 Rejected", "451 4.7.1 Try later", "550 Rejected", "451 5%% off", "550 5.7", "550 4.7 x",
        "550-5.7.1 a\r\n550 5.7.1 b", "550 5.7.1 100%% spam",
        "550 5.7.1 " + String(repeating: "x", count: 980), "550 " + String(repeating: "y", count: 980),
    ])
    func validTextsHaveNoProblems(_ text: String) throws {
        #expect(ReplyCode.problems(in: MilterString(text)).isEmpty)
        try ReplyCode.check(MilterString(text))
    }

    @Test(
        arguments: [
            ("", [.empty]),
            ("550", [.malformedLine(line: 1)]),
            ("55 x", [.malformedLine(line: 1)]),
            ("abc def", [.malformedLine(line: 1)]),
            ("550x5.7.1 no", [.malformedLine(line: 1)]),
            ("250 2.0.0 ok", [.codeNotFailure(line: 1)]),
            ("550 4.7.1 no", [.enhancedClassMismatch(line: 1)]),
            ("550-5.7.1 a\r\n551 5.7.1 b", [.inconsistentCodes(line: 2)]),
            ("550 5.7.1 a\r\n550 5.7.1 b", [.wrongContinuation(line: 1)]),
            ("550-5.7.1 a", [.wrongContinuation(line: 1)]),
            ("550 a\nb", [.badLineBreak(line: 1)]),
            ("550 a\rb", [.badLineBreak(line: 1)]),
            ("550 5.7.1 a\r\n", [.wrongContinuation(line: 1), .badLineBreak(line: 1)]),
            ("450 5% off", [.undoubledPercent(line: 1)]),
            ("450 5.7.1", [.enhancedClassMismatch(line: 1)]),
            ("550 5.7.1 100% spam", [.undoubledPercent(line: 1)]),
            ("550 5.7.1 %", [.undoubledPercent(line: 1)]),
            ("550 5.7.1 " + String(repeating: "x", count: 981), [.lineTooLong(line: 1)]),
            ("550 " + String(repeating: "x", count: 981), [.lineTooLong(line: 1)]),
        ] as [(String, [ReplyCode.Problem])])
    func problemsAreNamed(_ text: String, _ problems: [ReplyCode.Problem]) {
        #expect(ReplyCode.problems(in: MilterString(text)) == problems)
        #expect(capturedError { try ReplyCode.check(MilterString(text)) }?.code == .invalidReplyCode)
    }

    /// The error shows the codes the problem is about as they are, and redacts the text after them.
    @Test(arguments: [
        ("299 secret.person@example.org", "299 xxxxxx.xxxxxx@xxxxxxx.xxx"),
        ("250 2.0.0 ok Alice", "250 2.0.0 xx xxxxx"),
        ("550-5.7 partial", "550-9.9 xxxxxxx"),
        ("5x0 text", "5x9 xxxx"),
        ("ok", "xx"),
    ])
    func theErrorShowsTheCodes(_ text: String, _ shown: String) throws {
        let error = try #require(capturedError { try ReplyCode.check(MilterString(text)) })
        #expect("\(error)".contains("bytes: \(shown)"), "\(error)")
    }

    @Test func embeddedNULIsNamed() {
        #expect(ReplyCode.problems(in: MilterString(bytes: Array("550 a\0b".utf8))) == [.embeddedNUL])
    }

    @Test func thirtyThreeLinesAreTooMany() {
        let lines = (1...33).map { "550-5.7.1 line \($0)" } + ["550 5.7.1 last"]
        #expect(ReplyCode.problems(in: MilterString(lines.joined(separator: "\r\n"))) == [.tooManyLines])
        let fits = (1...31).map { "550-5.7.1 line \($0)" } + ["550 5.7.1 last"]
        #expect(ReplyCode.problems(in: MilterString(fits.joined(separator: "\r\n"))).isEmpty)
    }

    @Test(arguments: [
        ReplyCode.Problem.empty, .malformedLine(line: 1), .codeNotFailure(line: 1), .enhancedClassMismatch(line: 1),
        .inconsistentCodes(line: 2), .wrongContinuation(line: 1), .badLineBreak(line: 1), .undoubledPercent(line: 1),
        .tooManyLines, .lineTooLong(line: 1), .embeddedNUL,
    ])
    func everyProblemDescribesItselfWithoutTheText(_ problem: ReplyCode.Problem) {
        #expect(!problem.description.isEmpty)
    }
}
