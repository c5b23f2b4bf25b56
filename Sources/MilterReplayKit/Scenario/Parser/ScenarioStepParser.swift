import MailMessage
import MilterClient

/// Reads `steps:` lists.
enum ScenarioStepParser {
    /// The step keys, in the order docs/scenarios.md lists them.
    static let keywords = [
        "connect", "helo", "ehlo", "starttls", "xclient", "mail", "rcpt", "data", "header", "headers", "eoh", "body",
        "eom", "abort", "message", "unknown", "listen", "quit", "quit-nc", "raw",
    ]

    /// Steps that need no value.
    private static let bareWords: Set<String> = [
        "connect", "helo", "ehlo", "starttls", "data", "eoh", "eom", "abort", "quit", "quit-nc",
    ]

    static func steps(_ field: YAMLField) throws(ScenarioParseError) -> [ScenarioStep] {
        guard case .sequence = field.node else { throw field.error("'steps': expected a list of steps") }
        var steps: [ScenarioStep] = []
        var state = SessionState()
        for item in try field.list() {
            let step = try self.step(item)
            try checkOrder(step, after: steps.last, at: item)
            try state.take(step.action, at: item)
            steps.append(step)
        }
        guard !steps.isEmpty else { throw field.error("'steps' is empty") }
        return steps
    }

    private static func checkOrder(
        _ step: ScenarioStep, after previous: ScenarioStep?, at item: YAMLField
    ) throws(ScenarioParseError) {
        guard let previous else { return }
        switch previous.action {
        case .quit: throw item.error("nothing may follow 'quit': the connection is closed")
        case .raw:
            switch step.action {
            case .raw, .listen, .quit: return
            default: throw item.error("only 'raw', 'listen' or 'quit' may follow a 'raw' step")
            }
        default: return
        }
    }

    private static func step(_ item: YAMLField) throws(ScenarioParseError) -> ScenarioStep {
        if case .scalar = item.node {
            let word = try item.string()
            guard keywords.contains(word) else {
                throw item.error("unknown step '\(word)'; steps: \(keywords.joined(separator: ", "))")
            }
            guard bareWords.contains(word) else { throw item.error("the '\(word)' step needs a value") }
            return ScenarioStep(action: bareAction(word), location: item.location)
        }
        let fields = try item.mapping(allowed: keywords + ["expect"])
        let named = fields.keys.filter { $0 != "expect" }
        guard named.count == 1, let key = named.first else {
            let found = named.isEmpty ? "none" : named.joined(separator: ", ")
            throw item.error("a step has exactly one of \(keywords.joined(separator: ", ")) (found: \(found))")
        }
        let value = fields[key]!
        let stepField = YAMLField(node: value.node, file: value.file, context: "the '\(key)' step")
        let action = try self.action(key, stepField)
        var expectation: StepExpectation?
        if let expect = fields["expect"] {
            expectation = try ScenarioExpectationParser.expectation(expect, for: action)
        }
        return ScenarioStep(action: action, expectation: expectation, location: item.location)
    }

    private static func action(_ key: String, _ field: YAMLField) throws(ScenarioParseError) -> ScenarioAction {
        switch key {
        case "connect": return .connect(try connect(field))
        case "helo", "ehlo": return .helo(field.isNull ? nil : try field.string(), extended: key == "ehlo")
        case "starttls": return .startTLS(try startTLS(field))
        case "xclient": return .xclient(try xclient(field))
        case "mail": return .mail(try ScenarioContentParser.envelope(field))
        case "rcpt": return .rcpt(try ScenarioContentParser.envelope(field))
        case "header": return .headers(.inline([try ScenarioContentParser.header(field)]))
        case "headers": return .headers(try ScenarioContentParser.headers(field))
        case "body": return .body(try ScenarioContentParser.body(field))
        case "message": return .message(try ScenarioContentParser.message(field))
        case "unknown": return .unknown(try field.string())
        case "listen": return .listen(seconds: try field.seconds(maximum: 30))
        case "raw": return .raw(try ScenarioContentParser.raw(field))
        default: return try valueless(key, field)
        }
    }

    private static func valueless(_ key: String, _ field: YAMLField) throws(ScenarioParseError) -> ScenarioAction {
        guard field.isNull else { throw field.error("\(field.context) takes no value") }
        return bareAction(key)
    }

    /// The step of a key written without a value.
    private static func bareAction(_ key: String) -> ScenarioAction {
        switch key {
        case "connect": return .connect(ConnectSpec())
        case "helo", "ehlo": return .helo(nil, extended: key == "ehlo")
        case "starttls": return .startTLS(TLSSession())
        case "data": return .data
        case "eoh": return .endOfHeaders
        case "eom": return .endOfMessage
        case "abort": return .abort
        case "quit": return .quit
        default: return .quitNewConnection
        }
    }

    private static func connect(_ field: YAMLField) throws(ScenarioParseError) -> ConnectSpec {
        guard !field.isNull else { return ConnectSpec() }
        let fields = try field.mapping(allowed: ["family", "address", "port", "hostname"])
        var spec = ConnectSpec()
        if let family = fields["family"] { spec.family = try family.word(ConnectSpec.Family.self) }
        switch spec.family {
        case .inet6: spec.address = "2001:db8::1"
        case .unix: spec.address = "/var/run/smtp-client.sock"
        case .inet, .unknown: break
        }
        if let address = fields["address"] { spec.address = try address.string() }
        if let port = fields["port"] { spec.port = UInt16(try port.integer(in: 0...65_535)) }
        if let hostname = fields["hostname"] { spec.hostname = try hostname.string() }
        return spec
    }

    private static func startTLS(_ field: YAMLField) throws(ScenarioParseError) -> TLSSession {
        guard !field.isNull else { return TLSSession() }
        let fields = try field.mapping(allowed: ["version", "cipher", "cipher-bits", "cert-subject", "cert-issuer"])
        var tls = TLSSession()
        if let version = fields["version"] { tls.version = try nonEmpty(version) }
        if let cipher = fields["cipher"] { tls.cipher = try nonEmpty(cipher) }
        if let bits = fields["cipher-bits"] { tls.cipherBits = try bits.integer(in: 0...65_535) }
        if let subject = fields["cert-subject"] { tls.certificateSubject = try nonEmpty(subject) }
        if let issuer = fields["cert-issuer"] { tls.certificateIssuer = try nonEmpty(issuer) }
        return tls
    }

    /// `xclient: {name, addr, port, helo, proto, login, destaddr, destport}`: Postfix's XCLIENT attributes
    /// (`smtpd.c` `xclient_cmd`), at least one.
    private static func xclient(_ field: YAMLField) throws(ScenarioParseError) -> XClientSpec {
        let fields = try field.mapping(
            allowed: ["name", "addr", "port", "helo", "proto", "login", "destaddr", "destport"])
        var spec = XClientSpec()
        if let name = fields["name"] {
            let text = try nonEmpty(name)
            // Postfix reports a name it has not as `unknown`, and CONNECT then carries `[address]`.
            spec.name = ["[UNAVAILABLE]", "[TEMPUNAVAIL]"].contains(text.uppercased()) ? "unknown" : text
        }
        if let address = fields["addr"] {
            let text = try nonEmpty(address)
            guard !text.hasPrefix("[") else {
                throw address.error("'addr': an IPv4 or IPv6 address ([UNAVAILABLE] is not played)")
            }
            // Postfix takes IPv6 as IPV6:address, and reports it without the prefix.
            spec.address = text.lowercased().hasPrefix("ipv6:") ? String(text.dropFirst(5)) : text
        }
        if let port = fields["port"] { spec.port = UInt16(try port.integer(in: 0...65_535)) }
        if let helo = fields["helo"] { spec.helo = try nonEmpty(helo) }
        try xclientServerSide(fields, into: &spec)
        guard !fields.keys.isEmpty else {
            throw field.error(
                "'xclient' needs at least one of name, addr, port, helo, proto, login, destaddr, destport")
        }
        return spec
    }

    /// `proto`, `login`, `destaddr` and `destport`, refused where Postfix answers `501 Bad … syntax`, or where it
    /// would take `[TEMPUNAVAIL]` for a name.
    private static func xclientServerSide(
        _ fields: YAMLMapping, into spec: inout XClientSpec
    ) throws(ScenarioParseError) {
        if let proto = fields["proto"] {
            guard let value = XClientSpec.SMTPProtocol(rawValue: try proto.string().uppercased()) else {
                throw proto.error("'proto': SMTP or ESMTP")
            }
            spec.smtpProtocol = value
        }
        if let login = fields["login"] {
            let text = try nonEmpty(login)
            // Postfix knows only [UNAVAILABLE] here: no login.
            if text.uppercased() != "[UNAVAILABLE]" {
                guard !text.hasPrefix("[") else { throw login.error("'login': a SASL login name, or [UNAVAILABLE]") }
                spec.login = text
            }
        }
        if let address = fields["destaddr"] {
            let text = try nonEmpty(address)
            if text.uppercased() == "[UNAVAILABLE]" {
                spec.destinationAddress = "unknown"
            } else {
                let bare = text.lowercased().hasPrefix("ipv6:") ? String(text.dropFirst(5)) : text
                // One IP parser (MailMessage's): 300.1.1.1, 1..2 and 010.0.0.1 are no address.
                guard IPAddress(parsing: bare) != nil else {
                    throw address.error("'destaddr': an IPv4 or IPv6 address, or [UNAVAILABLE]")
                }
                spec.destinationAddress = bare
            }
        }
        if let port = fields["destport"] {
            if (try? port.string())?.uppercased() == "[UNAVAILABLE]" {
                spec.destinationPort = "unknown"
            } else {
                spec.destinationPort = String(try port.integer(in: 0...65_535))
            }
        }
    }

    private static func nonEmpty(_ field: YAMLField) throws(ScenarioParseError) -> String {
        let text = try field.string()
        guard !text.isEmpty, text.count <= 255 else { throw field.error("\(field.context): 1 to 255 characters") }
        return text
    }

    /// What the SMTP session stands at, step after step, for the steps that may come only at some points:
    /// `starttls` and `xclient` between transactions, `starttls` once per SMTP client.
    private struct SessionState {
        var inTransaction = false
        var tlsActive = false

        mutating func take(_ action: ScenarioAction, at item: YAMLField) throws(ScenarioParseError) {
            switch action {
            case .mail, .rcpt, .data, .headers, .endOfHeaders, .body: inTransaction = true
            case .endOfMessage, .abort, .message, .quit: inTransaction = false
            case .quitNewConnection:
                inTransaction = false
                tlsActive = false
            case .startTLS:
                guard !inTransaction else {
                    throw item.error(
                        "'starttls' inside a transaction: end it first ('eom' or 'abort'); Sendmail refuses STARTTLS "
                            + "there, and MilterClient does not play Postfix's reset of the transaction")
                }
                guard !tlsActive else { throw item.error("a second 'starttls': TLS is already active") }
                tlsActive = true
            case .xclient:
                guard !inTransaction else {
                    throw item.error(
                        "'xclient' inside a transaction: end it first ('eom' or 'abort'); Postfix answers 503 there")
                }
            case .connect, .helo, .unknown, .listen, .raw: break
            }
        }
    }
}
