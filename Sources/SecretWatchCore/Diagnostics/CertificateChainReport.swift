import FoundationEssentials

/// What `check --connect` prints after its stages: the chain the token endpoint and the SMTP server presented
/// (position, subject, issuer, end date, days left) and the certificates of the configured `ca_file`s.
public struct CertificateChainReport: Sendable {
    /// `(what, endpoint)`: `("token endpoint", "login.microsoftonline.com:443")`, then the SMTP server, then each `ca_file`.
    public var endpoints: [(label: String, endpoint: String)]

    public init(config: Config, environment: [String: String] = ProcessInfo.processInfo.environment) {
        var endpoints: [(String, String)] = []
        if let token = EndpointCertificate.endpoint(ofURL: TokenEndpointSettings(config: config, environment: environment).endpoint) {
            endpoints.append(("token endpoint", token))
        }
        endpoints.append(("SMTP server", SMTPTransport(config: config.smtp).endpoint))
        for path in Array(Set([config.smtp.caFile, config.token.caFile].compactMap { $0 })).sorted() {
            endpoints.append(("CA file", EndpointCertificate.caFileEndpoint(path)))
        }
        self.endpoints = endpoints
    }

    /// The report's lines.
    public func render(_ certificates: EndpointCertificates, now: Date = Date()) -> [String] {
        var lines = ["certificate chains:"]
        for (label, endpoint) in endpoints {
            let chain = certificates.chain(of: endpoint)
            let name = endpoint.hasPrefix("ca_file:") ? String(endpoint.dropFirst("ca_file:".count)) : endpoint
            lines.append("  \(label) \(name)" + (chain.isEmpty ? ": no certificate seen (no TLS connection completed, or the file cannot be read)" : ""))
            for certificate in chain {
                let seconds = certificate.notAfter.timeIntervalSince(now)
                let left = seconds <= 0 ? "EXPIRED" : ExpiryEvaluator.days(Int((seconds / 86400).rounded(.up))) + " left"
                lines.append("    " + certificate.position.fitted(to: 15)
                             + "\(certificate.subject)  (issuer \(certificate.issuer))  notAfter \(Timestamps.rfc3339(certificate.notAfter)), \(left)")
            }
        }
        return lines
    }
}
