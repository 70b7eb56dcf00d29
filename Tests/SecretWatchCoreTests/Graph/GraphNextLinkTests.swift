import Foundation
import SecretWatchStandIns
import Testing
@testable import SecretWatchCore

/// A next page link that leads away from the Graph host asked (another host, port or scheme) is not followed:
/// the listing fails with `graph_next_link_rejected`, and no request — so no bearer token — reaches the other
/// place. Each foreign place is one a followed link would really reach: a listener on another port counting
/// connections, or the stand-in itself under another host name or scheme, which records every request.
@Suite("Graph client: a next link to another host")
struct GraphNextLinkTests {
    enum Place: String, CaseIterable, CustomTestStringConvertible {
        case otherPort, otherHost, otherScheme, evilExample
        var testDescription: String { rawValue }
    }

    @Test(arguments: Place.allCases)
    func aForeignNextLinkIsNotFollowed(place: Place) async throws {
        let f = try GraphFixture(applications: 4)
        defer { f.close() }
        let listener = try StandInServer { _ in }
        defer { listener.stop() }
        let port = f.token.standIn.port
        let origin = switch place {
        case .otherPort: "https://127.0.0.1:\(listener.port)"
        case .otherHost: "https://localhost:\(port)" // the stand-in's certificate is for localhost too
        case .otherScheme: "http://127.0.0.1:\(port)"
        case .evilExample: GraphStandInBehaviour.foreignOrigin
        }
        f.graph.setBehaviour(.foreignNextLink(origin: origin))
        let outcome = try await f.list(f.settings(pageSize: 2))
        let failure = try #require(outcome.failure, "the foreign next link was followed: \(outcome.result)")
        #expect(failure.reason == .nextLinkRejected && outcome.pages == 1)
        #expect(failure.message.contains("leads to \(place == .evilExample ? "https://evil.example:443" : origin)"))
        #expect(failure.message.contains("not to 127.0.0.1"))
        #expect(failure.detail?.contains("@odata.nextLink: \(origin)/v1.0/applications?") == true)
        // Only the first page was asked for, and nothing reached the other port.
        #expect(f.graph.requestCount == 1)
        #expect(f.graph.requests.allSatisfy { $0.headers["host"] == "127.0.0.1:\(port)" })
        #expect(listener.connectionCount == 0)
    }

    @Test func theStandInBehaviourHasItsName() {
        #expect(GraphStandInBehaviour.named("foreign_next_link") == .foreignNextLink(origin: "https://evil.example:443"))
    }
}
