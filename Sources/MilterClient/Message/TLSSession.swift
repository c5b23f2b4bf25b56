/// A TLS session the SMTP client started with STARTTLS, as the MTA's macros report it.
///
/// The defaults are what Postfix 3.7 with OpenSSL 3 negotiates with a current client (`{tls_version}` `TLSv1.3`,
/// `{cipher}` `TLS_AES_256_GCM_SHA384`, `{cipher_bits}` `256`), as Sendmail 8.17 does too; a client certificate's
/// subject and issuer are reported only when the MTA trusts the certificate (Postfix `smtpd_milter.c`:
/// `IF_TRUSTED`), so by default none: Postfix then leaves `{cert_subject}` and `{cert_issuer}` out, Sendmail sends
/// them empty.
public struct TLSSession: Hashable, Sendable {
    /// `{tls_version}`.
    public var version: String
    /// `{cipher}`.
    public var cipher: String
    /// `{cipher_bits}`.
    public var cipherBits: Int
    /// `{cert_subject}`: the trusted client certificate's subject, if any.
    public var certificateSubject: String?
    /// `{cert_issuer}`: the trusted client certificate's issuer, if any.
    public var certificateIssuer: String?

    /// Creates a TLS session.
    public init(
        version: String = "TLSv1.3", cipher: String = "TLS_AES_256_GCM_SHA384", cipherBits: Int = 256,
        certificateSubject: String? = nil, certificateIssuer: String? = nil
    ) {
        self.version = version
        self.cipher = cipher
        self.cipherBits = cipherBits
        self.certificateSubject = certificateSubject
        self.certificateIssuer = certificateIssuer
    }
}
