import Foundation
import Testing
@testable import SecretWatchCore

@Suite("token: configuration section")
struct TokenConfigTests {
    static let base = """
        smtp:
          ca_file: /etc/ssl/certs/smtp-ca.pem
          proxy: http://smtp-proxy.example.com:3128
          auth:
            mailbox: ise-alerts@contoso.com
            tenant_id: 0b5f6f2e-8a1c-4d4e-9f3a-6c2d1e0a7b91
            client_id: 5d3c2b1a-9e8f-4a7b-8c6d-2f1e0d9c8b7a
            client_secret_env: SECRETWATCH_CLIENT_SECRET
            secret_expires: 2027-05-31
        notifications:
          to: [mail-admins@contoso.com]
        """

    func load(_ text: String) throws -> Config {
        try ConfigLoader(environment: [:], checkSecrets: false).parse(text, path: "/etc/secretwatch/secretwatch.yml").config
    }

    @Test func defaultsFallBackToTheSMTPSettings() throws {
        let config = try load(Self.base)
        #expect(config.token == TokenConfig(connectTimeout: 10, timeout: 30))
        let settings = TokenEndpointSettings(config: config, environment: ["https_proxy": "http://env-proxy:8080"])
        #expect(settings.caFile == "/etc/ssl/certs/smtp-ca.pem")
        #expect(settings.proxy == ProxyChoice(url: "http://smtp-proxy.example.com:3128", noProxy: nil, source: "smtp.proxy"))
        #expect(settings.endpoint == "https://login.microsoftonline.com/0b5f6f2e-8a1c-4d4e-9f3a-6c2d1e0a7b91/oauth2/v2.0/token")
    }

    @Test func tokenSectionWins() throws {
        let config = try load(Self.base + """

            token:
              connect_timeout: 3s
              timeout: 1m
              ca_file: corporate-ca.pem
              proxy: http://user:proxy-secret-pw@token-proxy.example.com:3128
              no_proxy: .internal
            """)
        #expect(config.token.connectTimeout == 3)
        #expect(config.token.timeout == 60)
        #expect(config.token.caFile == "/etc/secretwatch/corporate-ca.pem")
        let settings = TokenEndpointSettings(config: config, environment: [:])
        #expect(settings.proxy.source == "token.proxy")
        #expect(settings.proxy.noProxy == ".internal")
        #expect(settings.proxy.display == "http://user:[REDACTED]@token-proxy.example.com:3128 (token.proxy), except .internal")
        #expect(Redactor.scrub("proxy-secret-pw") == "[REDACTED]")
    }

    @Test func environmentProxyWhenTheConfigSaysNothing() throws {
        let text = Self.base.replacingOccurrences(of: "  proxy: http://smtp-proxy.example.com:3128\n", with: "")
        let config = try load(text)
        let settings = TokenEndpointSettings(config: config, environment: ["HTTPS_PROXY": "http://env-proxy:8080", "no_proxy": "localhost,.corp"])
        #expect(settings.proxy == ProxyChoice(url: "http://env-proxy:8080", noProxy: "localhost,.corp", source: "environment (HTTPS_PROXY)"))
        #expect(TokenEndpointSettings(config: config, environment: [:]).proxy == .direct)
    }

    @Test func directTurnsEveryProxyOff() throws {
        let config = try load(Self.base + "\ntoken:\n  proxy: direct\n")
        #expect(TokenEndpointSettings(config: config, environment: ["https_proxy": "http://env-proxy:8080"]).proxy == .direct)
    }

    @Test(arguments: [
        ("token-bad-proxy.yml", "token.proxy: \"ftp://proxy.example.com:21\" is not a proxy URL (expected http://host:port, https://…, socks5://…, or direct)"),
        ("token-timeout-below-connect.yml", "token.timeout: must be at least token.connect_timeout (20s), got 5s"),
        ("token-unknown-field.yml", "token.proxy_url: unknown field (known fields here: ca_file, connect_timeout, no_proxy, proxy, timeout)"),
        ("token-bad-duration.yml", "token.connect_timeout: \"10\" is not a duration (use a number with a unit: 500ms, 30s, 5m, 24h, 7d)"),
        ("token-too-short.yml", "token.connect_timeout: must be at least 100ms, got 50ms"),
    ])
    func badTokenSections(file: String, message: String) throws {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/config/\(file)", withExtension: nil))
        let error = #expect(throws: ConfigError.self) {
            try ConfigLoader(environment: [:], checkSecrets: false).load(path: url.path)
        }
        #expect(error?.problems.map(\.description) == [message])
    }
}
