/// Negative answers ([RFC 2308](https://www.rfc-editor.org/rfc/rfc2308)) and whether their SOA
/// belongs with the question.
extension DNSResponse {
    /// Whether this is a negative answer to `question`: NXDOMAIN, or NOERROR without a record of the
    /// type asked for the name or the end of its CNAME chain (NODATA).
    func isNegative(to question: DNSQuestion) -> Bool {
        switch responseCode {
        case .nameError: return true
        case .noError:
            let names = chainNames(from: question)
            return !answers.contains { $0.type == question.type && names.contains(DNSName.canonical($0.name)) }
        default: return false
        }
    }

    /// Whether every SOA of the authority section is owned by a name the answer is about (the
    /// question's, or a CNAME target along the chain from it) or by a zone above it, the root
    /// included. A negative answer's SOA is that of the zone where the name would be; any other is
    /// forged or broken. An answer without an SOA has nothing to check.
    func hasRelatedAuthority(to question: DNSQuestion) -> Bool {
        let names = chainNames(from: question)
        return authorities.allSatisfy { record in
            guard record.type == .soa else { return true }
            let zone = DNSName.canonical(record.name)
            return zone.isEmpty || names.contains { $0 == zone || $0.hasSuffix("." + zone) }
        }
    }

    /// The question's name and the targets of the CNAME chain from it in the answer section, in
    /// canonical form. Each round follows one more CNAME at least, so there are at most as many
    /// rounds as records.
    func chainNames(from question: DNSQuestion) -> Set<String> {
        var names: Set<String> = [DNSName.canonical(question.name)]
        var followed = true
        while followed {
            followed = false
            for record in answers where record.type == .cname && names.contains(DNSName.canonical(record.name)) {
                guard case .cname(let target) = record.data, names.insert(DNSName.canonical(target)).inserted else {
                    continue
                }
                followed = true
            }
        }
        return names
    }
}
