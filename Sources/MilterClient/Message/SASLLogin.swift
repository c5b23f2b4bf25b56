/// The SASL login the played MTA has for the SMTP client: `{auth_authen}` and `{auth_type}` in the macros
/// from then on (Postfix's `smtpd_milter_eval`).
public struct SASLLogin: Hashable, Sendable {
    /// The login name: `{auth_authen}`.
    public var name: String
    /// The mechanism: `{auth_type}`; `XCLIENT` for a login XCLIENT gave (Postfix's `smtpd_sasl_auth_extern`).
    public var method: String

    /// Creates a login.
    public init(name: String, method: String) {
        self.name = name
        self.method = method
    }
}
