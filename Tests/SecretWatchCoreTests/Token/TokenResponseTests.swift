import Foundation
import Testing
@testable import SecretWatchCore

/// The token endpoint's answers read field by field: the grant, Microsoft's error JSON, `Retry-After`, and the
/// form body sent to it.
@Suite("Token answers and the request body")
struct TokenResponseTests {
    static func grant(_ json: String) -> TokenGrant? { TokenGrant.parse(Data(json.utf8)) }

    @Test(arguments: [#""expires_in":3599"#, #""expires_in":"3599""#, #""expires_in":3599.0"#, #""expires_in":3599.7"#])
    func aLifetimeIsANumberOrText(field: String) throws {
        let grant = try #require(Self.grant(#"{"token_type":"Bearer","access_token":"abc",\#(field)}"#))
        #expect(grant.expiresIn == 3599)
        #expect(grant.accessToken == "abc")
        #expect(grant.tokenType == "Bearer")
    }

    /// A lifetime no `Int` holds is no token answer: converting it trapped and ended the daemon.
    @Test(arguments: ["1e300", "-1e300", "9223372036854775808"])
    func aLifetimeTooLargeForAnIntegerIsNoGrant(value: String) {
        #expect(Self.grant(#"{"access_token":"abc","expires_in":\#(value)}"#) == nil)
    }

    @Test(arguments: [#"{"access_token":"abc","expires_in":0}"#, #"{"access_token":"","expires_in":3599}"#,
                      #"{"access_token":"abc"}"#, #"["access_token"]"#, #""abc""#, "<html>"])
    func anythingElseIsNoGrant(body: String) {
        #expect(Self.grant(body) == nil)
    }

    @Test(arguments: [#"[7000215]"#, #"["7000215"]"#])
    func theErrorCodeIsANumberOrText(codes: String) throws {
        let body = #"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1","error_codes":\#(codes),"trace_id":"t","correlation_id":"c"}"#
        let answer = try #require(TokenErrorAnswer.parse(Data(body.utf8)))
        #expect(answer.aadstsCode == 7000215)
        #expect(answer.summary == "Invalid client secret provided.")
        #expect(answer.traceId == "t")
        #expect(answer.correlationId == "c")
    }

    @Test func theErrorCodeComesFromTheDescriptionWithoutACodeList() throws {
        let answer = try #require(TokenErrorAnswer.parse(Data(#"{"error":"invalid_request","error_description":"AADSTS900144: no client_id"}"#.utf8)))
        #expect(answer.aadstsCode == 900144)
    }

    @Test func retryAfterInSecondsOrAsAnHTTPDate() throws {
        let now = try #require(Timestamps.parse("2015-10-21T07:27:00Z"))
        #expect(RetryAfter.parse("120", now: now) == 120)
        #expect(RetryAfter.parse(" 120 ", now: now) == 120)
        #expect(RetryAfter.parse("Wed, 21 Oct 2015 07:28:00 GMT", now: now) == 60)
        #expect(RetryAfter.parse("wed, 21 oct 2015 07:28:00 utc", now: now) == 60)
        #expect(RetryAfter.parse("Tue, 20 Oct 2015 07:28:00 GMT", now: now) == 0)
        #expect(RetryAfter.parse("Sat, 01 Jan 1966 00:00:00 GMT", now: now) == 0)
    }

    @Test(arguments: ["", "soon", "Wed, 21 Oct 2015 07:28:00", "Wed, 21 Oct 2015 07:28 GMT", "Wed, 32 Oct 2015 07:28:00 GMT",
                      "Wed, 21 Okt 2015 07:28:00 GMT", "21 Oct 2015 07:28:00 GMT", "Wed, 21 Oct 2015 07:28:00 CET"])
    func anUnreadableRetryAfterIsIgnored(value: String) throws {
        #expect(RetryAfter.parse(value, now: try #require(Timestamps.parse("2015-10-21T07:27:00Z"))) == nil)
    }

    @Test func theFormBodyEncodesAllButTheUnreservedCharacters() {
        #expect(TokenFormBody.escape("aZ09-._~") == "aZ09-._~")
        #expect(TokenFormBody.escape("a+b&c=d%e f/é") == "a%2Bb%26c%3Dd%25e%20f%2F%C3%A9")
    }
}
