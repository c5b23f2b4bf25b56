import Logging
import ReferenceMilter

extension Logger {
    /// Logs at level warning what loading `classifier` found that works but deserves a word; the daemon checks at
    /// start-up and on every reload that loads:
    /// - ``CheckConfigCommand/noRules`` (prefixed with `source`), for a rules file without a rule (empty, or
    ///   comments only): it loads, but is most likely a wrong or truncated file;
    /// - the rules' own ``RulesClassifier/warnings`` (an /etc/resolv.conf with more than 3 nameservers, for rules
    ///   that use `dnsbl`), as they are.
    func warnOfLoaded(_ classifier: any MailClassifier, from source: String) {
        guard let rules = classifier as? RulesClassifier else { return }
        if rules.rules.isEmpty { warning("\(source): \(CheckConfigCommand.noRules)") }
        for text in rules.warnings { warning("\(text)", metadata: ["config": "\(source)"]) }
    }
}
