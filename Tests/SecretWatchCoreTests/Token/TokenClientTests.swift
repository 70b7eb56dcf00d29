import Foundation
import Testing
import SecretWatchStandIns
@testable import SecretWatchCore

@Suite("Token client against the HTTPS stand-in")
struct TokenClientTests {
    @Test func successCarriesTheGrantedLifetime() async throws {
        let f = try TokenEndpointFixture(behaviour: .success(accessToken: "stand-in-access-token-4242", expiresIn: 4711))
        defer { f.close() }
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let outcome = await f.client().request(startedAt: start)
        let token = try #require(outcome.token)
        #expect(token.value == "stand-in-access-token-4242")
        #expect(token.expiresAt == start.addingTimeInterval(4711))
        #expect(outcome.httpStatus == 200)
        #expect(outcome.attempt.outcome == .success)
        #expect(outcome.attempt.expiresIn == 4711)
        #expect(outcome.attempt.reason == nil)
    }

    @Test func requestIsFormEncodedWithEveryValueEscaped() async throws {
        let secret = "a+b&c=d%e f~g/h?"
        let f = try TokenEndpointFixture(secret: secret)
        defer { f.close() }
        _ = try #require(await f.client().request(startedAt: Date()).token)
        let request = try #require(f.standIn.requests.first)
        #expect(request.method == "POST")
        #expect(request.path == "/\(TokenEndpointFixture.tenant)/oauth2/v2.0/token")
        #expect(request.headers["content-type"] == "application/x-www-form-urlencoded")
        #expect(request.form == ["grant_type": "client_credentials", "client_id": TokenEndpointFixture.client,
                                 "client_secret": secret, "scope": TokenEndpointFixture.scope])
        let raw = String(decoding: request.body, as: UTF8.self)
        #expect(raw.contains("client_secret=a%2Bb%26c%3Dd%25e%20f~g%2Fh%3F"))
        #expect(raw.contains("scope=https%3A%2F%2Foutlook.office365.com%2F.default"))
    }

    @Test func expiresInAsStringIsAccepted() async throws {
        let f = try TokenEndpointFixture(behaviour: .raw(status: 200, contentType: "application/json",
            body: #"{"token_type":"Bearer","expires_in":"3599","access_token":"stand-in-access-token-str"}"#))
        defer { f.close() }
        let token = try #require(await f.client().request(startedAt: Date(timeIntervalSince1970: 0)).token)
        #expect(token.lifetime == 3599)
    }
}
