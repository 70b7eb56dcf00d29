import Foundation

/// The `token:` section: how secretwatch talks to the token endpoint (docs/configuration.md, "token").
public struct TokenConfig: Sendable, Equatable {

    /// TCP (+ proxy) connect limit.
    public var connectTimeout: TimeInterval
    /// Whole-request limit (connect, TLS, answer).
    public var timeout: TimeInterval
    /// Extra trust anchors; nil = `smtp.ca_file`, else the system trust store.
    public var caFile: String?
    /// Proxy URL, or `direct`; nil = `smtp.proxy`, else `https_proxy` from the environment.
    public var proxy: String?
    /// Hosts that bypass the proxy (curl's `no_proxy` syntax); nil = `no_proxy` from the environment.
    public var noProxy: String?

    public init(connectTimeout: TimeInterval = ConfigDefaults.tokenConnectTimeout, timeout: TimeInterval = ConfigDefaults.tokenTimeout,
                caFile: String? = nil, proxy: String? = nil, noProxy: String? = nil) {
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.caFile = caFile
        self.proxy = proxy
        self.noProxy = noProxy
    }
}
