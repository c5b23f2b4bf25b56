// Interop test harness: real peers (Postfix, libmilter, OpenDKIM, python3-milter, Sendmail) for the
// swift-milter tests. It uses no swift-milter code, so every part of the project can test against it.
//
// API (all waits have timeouts; all blocking work runs off the cooperative pool):
//
//   guard Interop.require(.postfix, .libmilter) else { return }
//       First line of every interop test. A missing peer prints "interop: skipped <test>: <reason>"
//       and returns false; under MILTER_INTEROP=required it also records an Issue (the test fails).
//
//   try await CMilter.with(mode: .headers) { milter in ... }   // interop/cmilter/cmilter.c, compiled once
//   milter.host, milter.port, milter.postfixSpec ("inet:127.0.0.1:PORT"), milter.sendmailSpec
//   ("inet:PORT@127.0.0.1"), milter.log() (one trace line per callback, e.g. "cmilter: eom ...")
//       Modes .headers / .subject / .plain: the decision rules are in cmilter.c's header comment.
//       CMilter.start(mode:, ipv6: true) listens on [::1]. Use `milter.port` to point a Swift
//       MilterClient at libmilter.
//
//   try await Postfix.with(milters: [milter.postfixSpec], settings: ["milter_default_action=accept"]) { pf in
//       let result = try await pf.send(SMTPMessage(from: "a@example.com", to: ["b@example.org"],
//                                                  headers: [("X-Test-Action", "reject")]))
//       result.final                         // SMTPReply: .code 550, .text "5.7.1 ...", .rcpts, .mail
//       try await pf.delivered(count: 1)     // [SinkMessage] that smtp-sink received (header(named:), body)
//       try await pf.held(count: 1)          // [QueueEntry] in the hold queue (postqueue -j)
//       try await pf.postcat(queueID:)       // postcat -q output
//       pf.maillog()                         // Postfix's own log, for failure messages
//   }
//       A private instance under a temp dir (`postfix -c DIR`): smtpd on a free 127.0.0.1 port,
//       relayhost = an smtp-sink on another free port that dumps every message to a file.
//       `Postfix.withCMilter(mode:ipv6:settings:) { postfix, milter in ... }` starts both at once.
//       Point `milters` at a Swift milter ("inet:127.0.0.1:\(port)") to test it behind real Postfix.
//       `pf.smtpPort` is the SMTP port; `pf.session([m1, m2])` sends several messages on one
//       connection (one milter connection); `pf.queue()` lists every queue.
//
//   try await OpenDKIM.with { dkim in ... dkim.postfixSpec ... }   // signing for example.com, selector "test"
//   try await PyMilter.with { py in ... py.postfixSpec ... }       // interop/pymilter/pymilter.py
//   try await Sendmail.with(milters: [milter.sendmailSpec]) { sm in   // Sendmail 8.17 (-bD) + smtp-sink
//       try await sm.send(message); try await sm.delivered(count: 1)
//   }
//   let loadclient = try await CProgram.shared.binary(source: "interop/loadclient/loadclient.c",
//                                                     libraries: ["-lpthread"])   // any C file in interop/
//   let result = try await ProcessRunner.run("/usr/bin/env", ["true"], timeout: .seconds(5))
//   let port = try FreePort.allocate(); try await FreePort.waitUntilListening(host:port:timeout:)
//       ProcessRunner, BackgroundProcess, FreePort, Scratch, pollUntil and the skip-or-fail gate
//       (PeerRequirement) live in MilterTestSupport, shared with the other test targets.
//
// Every peer has a scoped `with` (stopped afterwards, also on a throw; its log printed on failure) and a
// `start` + `stop` pair for longer lifetimes. Everything runs as root (Postfix needs it for `postfix
// start`); the system Postfix instance is never used. Each peer's files live under a fresh
// /tmp/milter-test-NAME-XXXX directory, removed when it stops; set MILTER_INTEROP_KEEP=1 to keep them.
// Compiled C peers are cached in /tmp/interop-build by source hash.
import Foundation
import MilterTestSupport
import Testing

/// Gating for interop tests: a missing peer skips with a printed reason, or fails under
/// `MILTER_INTEROP=required`.
enum Interop {
    /// A real program an interop test needs.
    enum Peer: String, CaseIterable, Sendable {
        /// Postfix and smtp-sink, and root to run `postfix start`.
        case postfix
        /// libmilter headers and a C compiler, to build cmilter.
        case libmilter
        /// opendkim and opendkim-genkey.
        case opendkim
        /// python3 with the `Milter` module (python3-milter).
        case pymilter
        /// The Sendmail binary unpacked by `.ci/install-sendmail-private`, m4, unshare, smtp-sink.
        case sendmail
        /// tcpdump, for captures.
        case tcpdump
        /// tshark and capinfos (Wireshark's command-line tools), to read captures back.
        case tshark
        /// dnsmasq (Debian's dnsmasq-base), a DNS server for the DNSBL tests.
        case dnsmasq
        /// HAProxy, a TCP load balancer in front of several milter daemons.
        case haproxy
        /// openssl, for a self-signed certificate, and Debian's python3 (`smtplib`, `ssl`), a STARTTLS client.
        case tls
    }

    /// Returns whether all `peers` are usable. When one is not, prints why and, under
    /// `MILTER_INTEROP=required`, records an issue so the test fails.
    static func require(
        _ peers: Peer..., testName: String = #function, sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        for peer in peers {
            guard let reason = missingReason(peer) else { continue }
            PeerRequirement.reportMissing(
                peer.rawValue, reason: reason, testName: testName, sourceLocation: sourceLocation)
            return false
        }
        return true
    }

    /// Why `peer` cannot be used, or nil if it can.
    static func missingReason(_ peer: Peer) -> String? {
        let files: [String]
        switch peer {
        case .postfix:
            if geteuid() != 0 { return "Postfix needs root to start a private instance" }
            files = ["/usr/sbin/postfix", "/usr/sbin/smtp-sink", "/usr/sbin/postqueue", "/usr/sbin/postcat"]
        case .libmilter: files = ["/usr/include/libmilter/mfapi.h", "/usr/bin/cc"]
        case .opendkim: files = ["/usr/sbin/opendkim", "/usr/sbin/opendkim-genkey"]
        case .pymilter:
            if !pythonHasMilter { return "python3 cannot import Milter (install python3-milter)" }
            files = ["/usr/bin/python3"]
        case .sendmail: files = [Sendmail.binary, "/usr/bin/m4", "/usr/bin/unshare", "/usr/sbin/smtp-sink"]
        case .tcpdump: files = ["/usr/bin/tcpdump"]
        case .tshark: files = ["/usr/bin/tshark", "/usr/bin/capinfos"]
        case .dnsmasq: files = [Dnsmasq.binary]
        case .haproxy: files = [HAProxy.binary]
        case .tls: files = ["/usr/bin/openssl", "/usr/bin/python3"]
        }
        let missing = files.filter { !FileManager.default.isExecutableFile(atPath: $0) && !isReadable($0) }
        return missing.isEmpty ? nil : "not found: \(missing.joined(separator: ", ")) (run .ci/install-peers)"
    }

    private static func isReadable(_ path: String) -> Bool {
        path.hasSuffix(".h") && FileManager.default.isReadableFile(atPath: path)
    }

    private static let pythonHasMilter: Bool = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { return false }
        let null = FileHandle.nullDevice
        guard
            let process = try? ChildProcess(
                "/usr/bin/python3", ["-c", "import Milter"], input: null, output: null, errors: null)
        else { return false }
        guard process.waitForExit(timeout: .seconds(60)) else {
            process.killAndReap()
            return false
        }
        return process.termination == .exited(0)
    }()
}
