import Foundation
import SecretWatchStandIns
import Testing
@testable import SecretWatchCore

/// Service principals are listed like applications (same properties, paging, bounds and classification), from
/// their own collection.
@Suite("Graph client: service principals")
struct GraphServicePrincipalsTests {
    static func principals(_ count: Int) -> [StandInApplication] {
        let start = Date(timeIntervalSince1970: 1_790_000_000), end = Date(timeIntervalSince1970: 1_830_000_000)
        return (1...count).map { i in
            StandInApplication(
                id: "sp-object-\(i)", appId: "sp-app-\(i)", displayName: "Enterprise app \(i)", tags: ["WindowsAzureActiveDirectoryIntegratedApp"],
                keyCredentials: [StandInKeyCredential(keyId: "sp-key-\(i)", displayName: "CN=SAML signing \(i)", usage: "Sign",
                                                      customKeyIdentifier: String(format: "%040X", 1000 + i), startDateTime: start, endDateTime: end)])
        }
    }

    @Test func theFirstPageURLSelectsTheSameProperties() {
        let s = GraphEndpointSettings(credential: "smtp", tenantId: "t", clientId: "c", baseURL: "https://graph.microsoft.us/")
        #expect(s.servicePrincipalsURL == "https://graph.microsoft.us/v1.0/servicePrincipals?$select=id,appId,displayName,passwordCredentials,keyCredentials,tags&$top=999")
        #expect(s.applicationsURL == "https://graph.microsoft.us/v1.0/applications?$select=id,appId,displayName,passwordCredentials,keyCredentials,tags&$top=999")
    }

    @Test func listsEveryPageOfServicePrincipals() async throws {
        let f = try GraphFixture(applications: 4)
        defer { f.close() }
        f.graph.setServicePrincipals(Self.principals(5))
        let token = try await f.accessToken()
        let outcome = await GraphClient(settings: f.settings(pageSize: 2)).listServicePrincipals(token: token, startedAt: Date())
        let principals = try #require(outcome.applications, "\(outcome.result)")
        #expect(outcome.collection == .servicePrincipals && outcome.pages == 3)
        #expect(principals.map(\.appId) == (1...5).map { "sp-app-\($0)" })
        let first = try #require(principals.first)
        #expect(first.tags == ["WindowsAzureActiveDirectoryIntegratedApp"] && first.passwordCredentials.isEmpty)
        #expect(first.keyCredentials.first?.usage == "Sign" && first.keyCredentials.first?.customKeyIdentifier == String(format: "%040X", 1001))
        let paths = f.graph.requests.map(\.path)
        #expect(paths.first == "/v1.0/servicePrincipals?$select=id,appId,displayName,passwordCredentials,keyCredentials,tags&$top=2")
        #expect(paths.allSatisfy { $0.hasPrefix("/v1.0/servicePrincipals?") })
        // The applications are a list of their own.
        let apps = try #require(try await f.list(token: token).applications)
        #expect(apps.count == 4 && apps.allSatisfy { !$0.appId.hasPrefix("sp-") })
    }

    @Test func aFailureNamesTheServicePrincipals() async throws {
        let f = try GraphFixture()
        defer { f.close() }
        f.graph.setBehaviour(.permissionDenied)
        let token = try await f.accessToken()
        let outcome = await GraphClient(settings: f.settings()).listServicePrincipals(token: token, startedAt: Date())
        let failure = try #require(outcome.failure)
        #expect(failure.reason == .permissionMissing)
        #expect(failure.message.contains("refused to list the service principals of tenant \(TokenEndpointFixture.tenant)"))
        f.graph.setBehaviour(.malformed)
        let malformed = try #require(await GraphClient(settings: f.settings()).listServicePrincipals(token: token, startedAt: Date()).failure)
        #expect(malformed.reason == .badResponse && malformed.message.hasSuffix("not a list of service principals"))
        let apps = try #require(await GraphClient(settings: f.settings()).listApplications(token: token, startedAt: Date()).failure)
        #expect(apps.message.hasSuffix("not a list of applications"))
    }
}
