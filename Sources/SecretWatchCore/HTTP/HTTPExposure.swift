/// What an HTTP listener reachable from other hosts gives away, given the token settings: `/metrics` and
/// `/readyz` are always open; the read API is open unless `http.auth_reads` (which needs `http.api_token_file`).
public struct HTTPExposure: Sendable, Equatable {
    public var tokenConfigured: Bool
    public var authReads: Bool

    public init(tokenConfigured: Bool, authReads: Bool) {
        self.tokenConfigured = tokenConfigured
        self.authReads = authReads
    }

    static let readAPI = "/api/v1/alarms, /api/v1/credentials and /api/v1/deliveries (credential names, tenant and client ids, "
        + "mailboxes, secret expiry dates, alarm history with acknowledgement comments, send outcomes)"

    /// The start-up warning for a listener on `address` that is not loopback; nil when reads need the token.
    public func warning(address: String) -> String? {
        if tokenConfigured && authReads { return nil }
        let reason = tokenConfigured ? "http.auth_reads is false" : "http.api_token_file is not set"
        let fix = tokenConfigured ? "set http.auth_reads: true" : "set http.api_token_file and http.auth_reads: true"
        return "http.listen \(address) is not a loopback address and \(reason): anyone who can reach it reads /metrics, /readyz and "
            + "\(Self.readAPI) without a token; \(fix), or listen on 127.0.0.1 behind a reverse proxy or firewall"
    }
}
