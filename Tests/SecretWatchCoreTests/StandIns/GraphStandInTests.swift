import Foundation
import SecretWatchStandIns
import Testing
@testable import SecretWatchCurl
@testable import SecretWatchCore

/// The Graph stand-in on its own, read with plain libcurl GETs: paging with absolute next links, `$select`,
/// `$top`, the hint, and Graph's error shape for every refusal.
@Suite("Graph stand-in")
struct GraphStandInTests {
    static func get(_ url: String, bearer: String?, ca: String) async throws -> CurlResponse {
        await BlockingExecutor.run {
            let easy = try! CurlEasy(secrets: Redactor.shared.curlSecrets)
            try! easy.set([.url(url), .caFile(ca), .timeout(20), .proxy(""), .maxResponseBytes(8 << 20),
                           .httpHeaders(bearer.map { ["Authorization: Bearer \($0)"] } ?? [])])
            return easy.perform()
        }
    }

    static func json(_ r: CurlResponse) throws -> [String: Any] {
        try #require((try? JSONSerialization.jsonObject(with: r.body)) as? [String: Any], "not JSON: \(String(decoding: r.body, as: UTF8.self))")
    }

    @Test func pagesWithAbsoluteNextLinksAndHonoursSelect() async throws {
        let f = try GraphFixture(applications: 5)
        defer { f.close() }
        let token = try await f.accessToken()
        var url: String? = f.baseURL + "/v1.0/applications?$select=id,displayName&$top=2"
        var names: [String] = []
        var pages = 0
        while let next = url {
            let r = try await Self.get(next, bearer: token.value, ca: f.token.ca.certificatePath)
            #expect(r.responseCode == 200)
            let object = try Self.json(r)
            let values = try #require(object["value"] as? [[String: Any]])
            #expect(values.allSatisfy { Set($0.keys) == ["id", "displayName"] })
            names += values.compactMap { $0["displayName"] as? String }
            url = object["@odata.nextLink"] as? String
            if let url { #expect(url.hasPrefix(f.baseURL + "/v1.0/applications?") && url.contains("$skiptoken=")) }
            pages += 1
        }
        #expect(pages == 3)
        #expect(names == (1...5).map { "stand-in app \($0)" })
    }

    @Test func listsEveryPropertyWithTheHintOnly() async throws {
        let f = try GraphFixture(applications: 1)
        defer { f.close() }
        let start = Date(timeIntervalSince1970: 1_790_000_000.5), end = Date(timeIntervalSince1970: 1_830_000_000)
        f.graph.setApplications([StandInApplication(
            id: "obj-1", appId: "app-1", displayName: "Mail relay",
            passwordCredentials: [StandInPasswordCredential(keyId: "k-1", displayName: "prod", secret: "Qx7~the-rest-of-the-secret",
                                                            startDateTime: start, endDateTime: end)],
            keyCredentials: [StandInKeyCredential(keyId: "k-2", displayName: "CN=relay", customKeyIdentifier: "52ED9B50",
                                                  startDateTime: start, endDateTime: end)])])
        let token = try await f.accessToken()
        let r = try await Self.get(f.baseURL + "/v1.0/applications", bearer: token.value, ca: f.token.ca.certificatePath)
        let app = try #require((try Self.json(r)["value"] as? [[String: Any]])?.first)
        let secret = try #require((app["passwordCredentials"] as? [[String: Any]])?.first)
        #expect(secret["hint"] as? String == "Qx7" && secret["secretText"] is NSNull)
        #expect(secret["startDateTime"] as? String == "2026-09-21T14:13:20.500Z" && secret["endDateTime"] as? String == "2027-12-28T13:20:00.000Z")
        #expect(!String(decoding: r.body, as: UTF8.self).contains("the-rest-of-the-secret"))
        let key = try #require((app["keyCredentials"] as? [[String: Any]])?.first)
        #expect(key["type"] as? String == "AsymmetricX509Cert" && key["usage"] as? String == "Verify" && key["customKeyIdentifier"] as? String == "52ED9B50")
        #expect(r.header("Content-Type")?.hasPrefix("application/json") == true && r.header("request-id") != nil)
    }

    @Test func aTokenForAnotherScopeOrNoneIsRefusedInGraphsShape() async throws {
        let f = try GraphFixture()
        defer { f.close() }
        let outlook = try await f.accessToken(scope: TokenEndpointFixture.scope)
        let graph = try await f.accessToken()
        #expect(outlook.value != graph.value)
        for bearer in [outlook.value, nil, "never-issued"] {
            let r = try await Self.get(f.baseURL + "/v1.0/applications", bearer: bearer, ca: f.token.ca.certificatePath)
            #expect(r.responseCode == 401)
            let error = try #require(try Self.json(r)["error"] as? [String: Any])
            #expect(error["code"] as? String == "InvalidAuthenticationToken")
            let inner = try #require(error["innerError"] as? [String: Any])
            #expect(inner["request-id"] is String && inner["client-request-id"] is String && inner["date"] is String)
            #expect(r.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
        }
    }

    @Test func permissionDeniedThrottledUnavailableAndBadQueries() async throws {
        let f = try GraphFixture()
        defer { f.close() }
        let token = try await f.accessToken()
        let list = f.baseURL + "/v1.0/applications"
        f.graph.enqueue(.permissionDenied, .throttled(retryAfterSeconds: 9), .unavailable(retryAfterSeconds: 4))
        let denied = try await Self.get(list, bearer: token.value, ca: f.token.ca.certificatePath)
        #expect(denied.responseCode == 403)
        let error = try #require(try Self.json(denied)["error"] as? [String: Any])
        #expect(error["code"] as? String == "Authorization_RequestDenied")
        #expect(error["message"] as? String == "Insufficient privileges to complete the operation.")
        let throttled = try await Self.get(list, bearer: token.value, ca: f.token.ca.certificatePath)
        #expect(throttled.responseCode == 429 && throttled.header("Retry-After") == "9")
        let unavailable = try await Self.get(list, bearer: token.value, ca: f.token.ca.certificatePath)
        #expect(unavailable.responseCode == 503 && unavailable.header("Retry-After") == "4")
        let tooMany = try await Self.get(list + "?$top=1000", bearer: token.value, ca: f.token.ca.certificatePath)
        #expect(tooMany.responseCode == 400 && String(decoding: tooMany.body, as: UTF8.self).contains("Request_UnsupportedQuery"))
        let unknown = try await Self.get(list + "?$select=id,secretText", bearer: token.value, ca: f.token.ca.certificatePath)
        #expect(unknown.responseCode == 400 && String(decoding: unknown.body, as: UTF8.self).contains("secretText"))
        let normal = try await Self.get(list, bearer: token.value, ca: f.token.ca.certificatePath)
        #expect(normal.responseCode == 200)
        #expect(f.graph.requestCount == 6)
    }

    @Test func behavioursHaveNames() {
        for name in GraphStandInBehaviour.names { #expect(GraphStandInBehaviour.named(name) != nil, "\(name)") }
        #expect(GraphStandInBehaviour.named("nope") == nil)
    }
}
