import Foundation
import SecretWatchStandIns
import Testing
@testable import SecretWatchCore

/// The Graph client against the stand-in over TLS: paging, the parsed model, and one classified failure per
/// kind of answer.
@Suite("Graph client")
struct GraphClientTests {
    @Test func followsEveryNextLinkAndParsesTheCredentials() async throws {
        let f = try GraphFixture(applications: 10)
        defer { f.close() }
        let outcome = try await f.list(f.settings(pageSize: 3))
        let apps = try #require(outcome.applications, "\(outcome.result)")
        #expect(outcome.pages == 4)
        #expect(apps.map(\.appId) == f.graph.applications.map(\.appId))
        let expected = f.graph.applications[7]
        let app = apps[7]
        #expect(app.id == expected.id && app.displayName == "stand-in app 8")
        let secret = try #require(app.passwordCredentials.first)
        #expect(secret.keyId == expected.passwordCredentials[0].keyId)
        #expect(secret.hint == "s7~" && secret.displayName == "secret 8")
        #expect(secret.endDateTime == expected.passwordCredentials[0].endDateTime)
        #expect(secret.startDateTime == expected.passwordCredentials[0].startDateTime)
        let certificate = try #require(app.keyCredentials.first)
        #expect(certificate.customKeyIdentifier == expected.keyCredentials[0].customKeyIdentifier)
        #expect(certificate.type == "AsymmetricX509Cert" && certificate.usage == "Verify")
        #expect(certificate.endDateTime == expected.keyCredentials[0].endDateTime)
        // Every page asked for the same fields and size; the later ones by the stand-in's absolute next link.
        let paths = f.graph.requests.map(\.path)
        #expect(paths.count == 4)
        #expect(paths[0] == "/v1.0/applications?$select=id,appId,displayName,passwordCredentials,keyCredentials,tags&$top=3")
        #expect(paths.dropFirst().allSatisfy { $0.contains("$skiptoken=") && $0.contains("$top=3") && $0.contains("$select=id,appId") })
    }

    @Test func appsGivenInGraphsShapeArriveWhole() async throws {
        let f = try GraphFixture()
        defer { f.close() }
        let json = #"""
            [{"id": "obj-1", "appId": "app-1", "displayName": "Mail relay", "tags": ["managed-by-msp", "prod"],
              "passwordCredentials": [
                {"keyId": "k-old", "displayName": "2026", "hint": "Qx7", "startDateTime": "2026-01-10T08:00:00Z", "endDateTime": "2027-01-10T08:00:00.250Z"},
                {"keyId": "k-new", "displayName": null, "hint": null, "startDateTime": "2026-11-01T00:00:00+01:00", "endDateTime": "2028-11-01T00:00:00.123Z"}],
              "keyCredentials": [
                {"keyId": "k-cert", "displayName": "CN=relay", "type": "AsymmetricX509Cert", "usage": "Verify",
                 "customKeyIdentifier": "52ED9B5034A1C4D8E9F0A1B2C3D4E5F60718293A", "startDateTime": "2026-02-01T00:00:00Z", "endDateTime": "2027-02-01T00:00:00Z"}]},
             {"id": "obj-2", "appId": "app-2", "displayName": "No credentials"}]
            """#
        f.graph.setApplications(try StandInApplication.decodeList(Data(json.utf8)))
        let apps = try #require(try await f.list().applications)
        #expect(apps.count == 2)
        let relay = apps[0]
        #expect(relay.id == "obj-1" && relay.appId == "app-1" && relay.displayName == "Mail relay" && relay.tags == ["managed-by-msp", "prod"])
        #expect(relay.passwordCredentials.map(\.keyId) == ["k-old", "k-new"])
        #expect(relay.passwordCredentials[0].hint == "Qx7" && relay.passwordCredentials[0].displayName == "2026")
        #expect(relay.passwordCredentials[0].endDateTime == Date(timeIntervalSince1970: 1_799_568_000.25))
        #expect(relay.passwordCredentials[1].hint == nil && relay.passwordCredentials[1].displayName == nil)
        #expect(relay.passwordCredentials[1].startDateTime == Date(timeIntervalSince1970: 1_793_487_600))
        let cert = try #require(relay.keyCredentials.first)
        #expect(cert.keyId == "k-cert" && cert.customKeyIdentifier == "52ED9B5034A1C4D8E9F0A1B2C3D4E5F60718293A" && cert.usage == "Verify")
        #expect(apps[1].tags == [] && apps[1].passwordCredentials.isEmpty && apps[1].keyCredentials.isEmpty)
        // Dates are served as given, to the millisecond.
        let raw = try await GraphStandInTests.get(f.baseURL + "/v1.0/applications", bearer: try await f.accessToken().value, ca: f.token.ca.certificatePath)
        let body = String(decoding: raw.body, as: UTF8.self)
        #expect(body.contains(#""endDateTime":"2028-11-01T00:00:00.123Z""#) && body.contains(#""startDateTime":"2026-10-31T23:00:00.000Z""#))
    }

    @Test func selectIsHonoured() async throws {
        let f = try GraphFixture(applications: 2)
        defer { f.close() }
        let token = try await f.accessToken()
        // A select without the credentials: the stand-in leaves them out, and the client reads them as none.
        let settings = f.settings()
        let response = try await GraphStandInTests.get(f.baseURL + "/v1.0/applications?$select=id,appId", bearer: token.value, ca: f.token.ca.certificatePath)
        let page = try GraphPage.parse(response.body)
        #expect(page.applications.count == 2 && page.applications.allSatisfy { $0.passwordCredentials.isEmpty && $0.displayName == nil })
        let full = try #require(try await f.list(settings, token: token).applications)
        #expect(full.allSatisfy { $0.passwordCredentials.count == 1 && $0.keyCredentials.count == 1 && $0.displayName != nil })
    }

    @Test func permissionDenied() async throws {
        let f = try GraphFixture()
        defer { f.close() }
        f.graph.setBehaviour(.permissionDenied)
        let failure = try await f.failure()
        #expect(failure.reason == .permissionMissing && failure.httpStatus == 403)
        #expect(failure.graphCode == "Authorization_RequestDenied")
        #expect(failure.requestId != nil && failure.clientRequestId != nil)
        #expect(failure.fix.contains("Application.Read.All") && failure.fix.contains("admin consent"))
        #expect(failure.message.contains(TokenEndpointFixture.client) && failure.message.contains(TokenEndpointFixture.tenant))
        #expect(failure.detail?.contains("Insufficient privileges") == true)
    }

    @Test func throttlingOnTheSecondPageCarriesRetryAfter() async throws {
        let f = try GraphFixture(applications: 4)
        defer { f.close() }
        f.graph.enqueue(.normal, .throttled(retryAfterSeconds: 17))
        let outcome = try await f.list(f.settings(pageSize: 2))
        let failure = try #require(outcome.failure)
        #expect(failure.reason == .throttled && failure.httpStatus == 429 && failure.retryAfter == 17)
        #expect(failure.operatorError.transient && failure.message.contains("17s"))
        #expect(outcome.pages == 1)
    }

    @Test func unavailable() async throws {
        let f = try GraphFixture()
        defer { f.close() }
        f.graph.setBehaviour(.unavailable(retryAfterSeconds: 30))
        let failure = try await f.failure()
        #expect(failure.reason == .unavailable && failure.httpStatus == 503 && failure.retryAfter == 30)
        #expect(failure.graphCode == "serviceNotAvailable")
    }

    @Test func malformedBody() async throws {
        let f = try GraphFixture()
        defer { f.close() }
        f.graph.setBehaviour(.malformed)
        let failure = try await f.failure()
        #expect(failure.reason == .badResponse && failure.httpStatus == 200)
        #expect(failure.detail?.contains("not a JSON object") == true)
    }

    @Test func hugeBodyStopsAtThePageLimit() async throws {
        let f = try GraphFixture()
        defer { f.close() }
        f.graph.setBehaviour(.hugeBody(bytes: 4 << 20))
        let failure = try await f.failure(f.settings(maxPageBytes: 256 * 1024))
        #expect(failure.reason == .responseTooLarge)
        #expect(failure.message.contains("262144"))
    }

    @Test func endlessPagingIsBoundedByThePageLimit() async throws {
        let f = try GraphFixture(applications: 3)
        defer { f.close() }
        f.graph.setBehaviour(.endlessPaging)
        let outcome = try await f.list(f.settings(pageSize: 1, maxPages: 7))
        let failure = try #require(outcome.failure)
        #expect(failure.reason == .pagingUnbounded && outcome.pages == 7)
        #expect(f.graph.requestCount == 7)
        #expect(failure.message.contains("7 pages"))
    }

    @Test func aNextLinkBackToAPageAlreadyReadEndsTheListing() async throws {
        let f = try GraphFixture(applications: 3)
        defer { f.close() }
        f.graph.setBehaviour(.pagingLoop)
        let outcome = try await f.list(f.settings(pageSize: 1))
        #expect(outcome.failure?.reason == .pagingUnbounded && outcome.pages == 1)
        #expect(outcome.failure?.detail?.contains("repeats a page") == true)
    }

    @Test func aTokenForAnotherScopeIsRefused() async throws {
        let f = try GraphFixture()
        defer { f.close() }
        let outlook = try await f.accessToken(scope: TokenEndpointFixture.scope)
        let failure = try await f.failure(token: outlook)
        #expect(failure.reason == .unauthorized && failure.httpStatus == 401)
        #expect(failure.graphCode == "InvalidAuthenticationToken")
        #expect(failure.message.contains("Invalid audience"))
    }
}
