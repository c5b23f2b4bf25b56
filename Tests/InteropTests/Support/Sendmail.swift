/// The Sendmail MTA unpacked beside Postfix by `.ci/install-sendmail-private` (the packages conflict,
/// so it is never installed as the system MTA).
enum Sendmail {
    /// The sendmail binary, run only with a private `-C` config.
    static let binary = "/opt/sendmail/usr/libexec/sendmail/sendmail"
}
