import Foundation
import SecretWatchStandIns
import Testing
@testable import SecretWatchCore

/// The token stand-in (which serves Graph too), a Graph-scope token from it through the real token client, and
/// the Graph settings to reach it. `close()` stops the server and deletes the certificates.
final class GraphFixture: Sendable {
    let token: TokenEndpointFixture

    init(applications: Int = 3, behaviour: TokenStandInBehaviour = .success(accessToken: "stand-in-access-token-0001", expiresIn: 3599),
         secret: String = "stand-in-secret-Value~1") throws {
        token = try TokenEndpointFixture(behaviour: behaviour, secret: secret, keepAlive: true)
        token.standIn.graph.setApplications(StandInApplication.generated(count: applications, now: Self.now))
    }

    static let now = Date(timeIntervalSince1970: 1_800_000_000.25)

    var graph: GraphStandIn { token.standIn.graph }
    var baseURL: String { "https://127.0.0.1:\(token.standIn.port)" }

    func settings(pageSize: Int = 999, maxPages: Int = ConfigDefaults.graphMaxPages,
                  maxPageBytes: Int = ConfigDefaults.graphMaxPageBytes, timeout: TimeInterval = 20) -> GraphEndpointSettings {
        var s = GraphEndpointSettings(token: token.settings(), baseURL: baseURL)
        s.pageSize = pageSize
        s.maxPages = maxPages
        s.maxPageBytes = maxPageBytes
        s.timeout = timeout
        return s
    }

    /// A token from the stand-in for `scope` (Graph's by default), through the real token client.
    func accessToken(scope: String = GraphEndpointSettings.defaultScope) async throws -> AccessToken {
        let outcome = await token.client().scoped(scope).request(startedAt: Date())
        return try #require(outcome.token, "no token: \(outcome.result)")
    }

    func list(_ settings: GraphEndpointSettings? = nil, token: AccessToken? = nil) async throws -> GraphListOutcome {
        let bearer: AccessToken
        if let token { bearer = token } else { bearer = try await accessToken() }
        return await GraphClient(settings: settings ?? self.settings()).listApplications(token: bearer, startedAt: Date())
    }

    /// One listing; the failure it produced (fails the test when it succeeded).
    func failure(_ settings: GraphEndpointSettings? = nil, token: AccessToken? = nil) async throws -> GraphFailure {
        let outcome = try await list(settings, token: token)
        return try #require(outcome.failure, "expected a failure, got \(outcome.pages) pages")
    }

    func close() { token.close() }
}
