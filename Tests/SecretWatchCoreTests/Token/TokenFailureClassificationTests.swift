import Foundation
import Testing
import SecretWatchStandIns
@testable import SecretWatchCore

/// One test per classified failure (reference table rows 1–16 and the catch-alls), each against a real
/// HTTPS stand-in, a real blackhole or refusing port, or a real proxy stand-in.
@Suite("Token failure classification")
struct TokenFailureClassificationTests {
    @Test func dnsFailure() async throws {
        let f = try TokenEndpointFixture()
        defer { f.close() }
        // `.invalid` is reserved (RFC 2606): no resolver may answer it.
        // Bounded even where a resolver does not answer at once: curl's "Resolving timed out" is a DNS failure too.
        let failure = try await f.failure(f.settings(endpoint: "https://login.secretwatch.invalid/t/oauth2/v2.0/token",
                                                     connectTimeout: 2, timeout: 3))
        #expect(failure.reason == .dnsFailure)
        #expect(failure.message == "cannot resolve the host login.secretwatch.invalid")
        #expect(failure.fix.contains("check DNS"))
    }

    @Test func connectTimeoutToAPortThatNeverAnswers() async throws {
        let f = try TokenEndpointFixture()
        defer { f.close() }
        let blackhole = try BlackholeListener()
        defer { blackhole.stop() }
        let failure = try await f.failure(f.settings(endpoint: "https://127.0.0.1:\(blackhole.port)/t/oauth2/v2.0/token",
                                                     connectTimeout: 1, timeout: 5))
        #expect(failure.reason == .connectTimeout)
        #expect(failure.message == "connect timed out: cannot reach 127.0.0.1:\(blackhole.port) within 1s")
        #expect(failure.fix.hasPrefix("check the proxy"))
        #expect(failure.operatorError.transient == false)
    }

    @Test func connectRefused() async throws {
        let f = try TokenEndpointFixture()
        defer { f.close() }
        let closed = try RefusingPort()
        let failure = try await f.failure(f.settings(endpoint: "https://127.0.0.1:\(closed.port)/t/oauth2/v2.0/token"))
        #expect(failure.reason == .connectRefused)
        #expect(failure.message == "cannot reach 127.0.0.1:\(closed.port): connection refused")
    }

    @Test func proxyAnswering407() async throws {
        let f = try TokenEndpointFixture()
        defer { f.close() }
        let proxy = try ProxyStandIn()
        defer { proxy.stop() }
        let failure = try await f.failure(f.settings(proxy: ProxyChoice(url: proxy.url, noProxy: nil, source: "token.proxy")))
        #expect(failure.reason == .proxyError)
        #expect(failure.message.contains("the proxy \(proxy.url) (token.proxy) refused the connection"))
        #expect(failure.operatorError.detail?.contains("407") == true)
        #expect(proxy.connectionCount == 1)
        #expect(f.standIn.connectionCount == 0)
    }

    @Test func proxyUnreachable() async throws {
        let f = try TokenEndpointFixture()
        defer { f.close() }
        let closed = try RefusingPort()
        let url = "http://user:proxy-pass-canary@127.0.0.1:\(closed.port)"
        let failure = try await f.failure(f.settings(proxy: ProxyChoice(url: url, noProxy: nil, source: "token.proxy")))
        #expect(failure.reason == .proxyError)
        #expect(!failure.message.contains("proxy-pass-canary"))
        #expect(!(failure.operatorError.detail ?? "").contains("proxy-pass-canary"))
    }

    @Test func untrustedChain() async throws {
        let f = try TokenEndpointFixture()
        defer { f.close() }
        let otherCA = try f.pki.makeAuthority(named: "some-other-ca")
        let failure = try await f.failure(f.settings(caFile: otherCA.certificatePath))
        #expect(failure.reason == .tlsUntrusted)
        #expect(failure.message.contains("not trusted here"))
        #expect(failure.fix.contains("never disable verification"))
        #expect(f.standIn.requestCount == 0)
    }

    @Test func hostNameMismatch() async throws {
        let f = try TokenEndpointFixture(names: ["login.example.org"])
        defer { f.close() }
        let failure = try await f.failure()
        #expect(failure.reason == .tlsHostnameMismatch)
        #expect(failure.message.contains("is not for that host name"))
        #expect(f.standIn.requestCount == 0)
    }

    @Test func unreadableCAFile() async throws {
        let f = try TokenEndpointFixture()
        defer { f.close() }
        let failure = try await f.failure(f.settings(caFile: f.pki.directory + "/missing-ca.pem"))
        #expect(failure.reason == .tlsCAFile)
        #expect(failure.message == "the configured CA file \(f.pki.directory)/missing-ca.pem cannot be read")
    }

    @Test func serverOfferingOnlyTLS11() async throws {
        let f = try TokenEndpointFixture(maximumTLS: .tls11)
        defer { f.close() }
        let failure = try await f.failure()
        #expect(failure.reason == .tlsVersion)
        #expect(failure.message.contains("TLS 1.2 or newer is required"))
    }

    @Test(arguments: [
        (EntraError.invalidClientSecret, TokenFailureReason.invalidClientSecret, "invalid client secret (AADSTS7000215)"),
        (.clientSecretExpired, .clientSecretExpired, "the identity provider says the client secret has expired (AADSTS7000222)"),
        (.tenantNotFound, .invalidTenant, "invalid OAuth endpoint or tenant identifier: tenant \(TokenEndpointFixture.tenant) is not found or malformed (AADSTS90002)"),
        (.tenantMalformed, .invalidTenant, "invalid OAuth endpoint or tenant identifier: tenant \(TokenEndpointFixture.tenant) is not found or malformed (AADSTS900023)"),
        (.unknownClientId, .invalidClientId, "no application with client id \(TokenEndpointFixture.client) in tenant \(TokenEndpointFixture.tenant) (AADSTS700016)"),
        (.invalidScope, .invalidScope, "invalid scope \(TokenEndpointFixture.scope) (AADSTS70011)"),
        (.missingDefaultScope, .invalidScope, "invalid scope \(TokenEndpointFixture.scope) (AADSTS1002012)"),
        (.invalidClientAssertion, .invalidClientAssertion, "the client assertion was refused (AADSTS700027): the signature does not verify with a certificate registered on the app (certificate not uploaded, or signed with another key)"),
        (.assertionOutsideValidity, .invalidClientAssertion, "the client assertion was refused (AADSTS700024): the assertion is outside its validity window: this host's clock is off (clock skew)"),
        (.assertionAudienceMismatch, .invalidClientAssertion, "the client assertion was refused (AADSTS700023): the assertion's audience is not the token endpoint"),
        (.assertionIssuerMismatch, .invalidClientAssertion, "the client assertion was refused (AADSTS700021): the assertion's issuer or subject is not the client id"),
        (.deprecatedTLS, .tlsVersion, "TLS 1.2 or newer is required, and the connection to 127.0.0.1 did not get it"),
        (.blockedByConditionalAccess, .conditionalAccessBlocked, "a Conditional Access policy blocked the token request for \(TokenEndpointFixture.client) (AADSTS53003)"),
        (.applicationDisabled, .applicationDisabled, "the application \(TokenEndpointFixture.client) is disabled in tenant \(TokenEndpointFixture.tenant) (AADSTS7000112)"),
        (.applicationDisabledLegacy, .applicationDisabled, "the application \(TokenEndpointFixture.client) is disabled in tenant \(TokenEndpointFixture.tenant) (AADSTS70001)"),
    ])
    func entraErrors(error: EntraError, reason: TokenFailureReason, message: String) async throws {
        let f = try TokenEndpointFixture(behaviour: .entraError(error))
        defer { f.close() }
        let failure = try await f.failure()
        #expect(failure.reason == reason)
        #expect(failure.message == message)
        #expect(failure.httpStatus == error.status)
        #expect(failure.aadstsCode == error.code)
        #expect(failure.oauthError == error.error)
        #expect(failure.traceId == f.standIn.traceIds.first)
        #expect(failure.correlationId?.count == 36)
    }

    @Test func throttledHonoursRetryAfter() async throws {
        let f = try TokenEndpointFixture(behaviour: .throttled(retryAfterSeconds: 120))
        defer { f.close() }
        let failure = try await f.failure()
        #expect(failure.reason == .throttled)
        #expect(failure.retryAfter == 120)
        #expect(failure.message == "the token endpoint is throttling requests (HTTP 429, retry after 2m)")
        #expect(failure.operatorError.transient)
    }

    @Test(arguments: [500, 503])
    func serverErrorsAreIdPUnavailable(status: Int) async throws {
        let f = try TokenEndpointFixture(behaviour: .raw(status: status, contentType: "text/plain", body: "upstream down"))
        defer { f.close() }
        let failure = try await f.failure()
        #expect(failure.reason == .idpUnavailable)
        #expect(failure.message == "the token endpoint is unavailable (HTTP \(status))")
    }

    @Test func captivePortalPage() async throws {
        let f = try TokenEndpointFixture(behaviour: .captivePortal(echoRequest: false))
        defer { f.close() }
        let failure = try await f.failure()
        #expect(failure.reason == .idpBadResponse)
        #expect(failure.message == "unexpected answer from the token endpoint (HTTP 200, text/html; charset=utf-8): not a token response")
        #expect(failure.operatorError.detail?.contains("Guest Wi-Fi") == true)
    }

    @Test func jsonWithoutAccessToken() async throws {
        let f = try TokenEndpointFixture(behaviour: .raw(status: 200, contentType: "application/json", body: #"{"token_type":"Bearer"}"#))
        defer { f.close() }
        #expect(try await f.failure().reason == .idpBadResponse)
    }

    @Test func fiveMegabyteBody() async throws {
        let f = try TokenEndpointFixture(behaviour: .hugeBody(bytes: 5 << 20))
        defer { f.close() }
        let failure = try await f.failure()
        #expect(failure.reason == .responseTooLarge)
        #expect(failure.message == "the token endpoint's answer is larger than 262144 bytes: not a token response")
    }

    @Test func slowDripBody() async throws {
        let f = try TokenEndpointFixture(behaviour: .slowDrip(interval: 0.2))
        defer { f.close() }
        let failure = try await f.failure(f.settings(connectTimeout: 1, timeout: 1.5))
        #expect(failure.reason == .responseTimeout)
        #expect(failure.message == "the token endpoint accepted the connection but did not answer within 1.5s")
    }

    @Test func connectionClosedWithoutResponse() async throws {
        let f = try TokenEndpointFixture(behaviour: .closeWithoutResponse)
        defer { f.close() }
        let failure = try await f.failure()
        #expect(failure.reason == .connectionClosed)
        #expect(f.standIn.requestCount == 1)
    }

    @Test func unreadableSecret() async throws {
        let f = try TokenEndpointFixture()
        defer { f.close() }
        var settings = f.settings()
        settings.secret = .file(f.pki.directory + "/no-such-secret")
        let failure = try await f.failure(settings)
        #expect(failure.reason == .secretUnreadable)
        #expect(f.standIn.requestCount == 0)
    }
}
