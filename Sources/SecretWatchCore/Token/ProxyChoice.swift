import Foundation

/// Which proxy token requests use, and where that choice came from (shown by `check`).
public struct ProxyChoice: Sendable, Equatable {
    /// `http://[user:pass@]host:port`; nil = direct.
    public var url: String?
    public var noProxy: String?
    /// `token.proxy`, `smtp.proxy`, `environment (https_proxy)` or `none`.
    public var source: String

    public static let direct = ProxyChoice(url: nil, noProxy: nil, source: "none")

    public init(url: String?, noProxy: String?, source: String) {
        self.url = url
        self.noProxy = noProxy
        self.source = source
        if let url { Self.registerPassword(in: url) }
    }

    /// The configured proxy (`direct` turns proxies off, even the environment's), else the fallback
    /// (`smtp.proxy`), else `https_proxy` / `HTTPS_PROXY` / `all_proxy` with `no_proxy` from the environment.
    public static func resolve(configured: String?, noProxy: String?, fallback: String?,
                               environment: [String: String]) -> ProxyChoice {
        if let configured {
            return configured == "direct" ? .direct : ProxyChoice(url: configured, noProxy: noProxy, source: "token.proxy")
        }
        if let fallback { return ProxyChoice(url: fallback, noProxy: noProxy, source: "smtp.proxy") }
        for name in ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] {
            if let value = environment[name], !value.isEmpty {
                let exempt = noProxy ?? environment["no_proxy"] ?? environment["NO_PROXY"]
                return ProxyChoice(url: value, noProxy: exempt, source: "environment (\(name))")
            }
        }
        return .direct
    }

    /// `http://proxy:3128 (token.proxy)` with any password masked.
    public var display: String {
        guard let url else { return "none (direct)" }
        return "\(Redactor.scrubURLCredentials(url)) (\(source))" + (noProxy.map { ", except \($0)" } ?? "")
    }

    /// A proxy password is a secret too: it must never reach a log line or an error text.
    private static func registerPassword(in url: String) {
        guard let parsed = URLComponents(string: url), let password = parsed.password, !password.isEmpty else { return }
        Redactor.shared.register(password)
        if let decoded = password.removingPercentEncoding { Redactor.shared.register(decoded) }
    }
}
