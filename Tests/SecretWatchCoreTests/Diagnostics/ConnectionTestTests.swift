import Foundation
import Synchronization
import Testing
import SecretWatchStandIns
@testable import SecretWatchCore

/// The runner with the real token stage, followed by a stage of the kind the mailer appends (it needs the token).
@Suite("ConnectionTest runner")
struct ConnectionTestTests {
    /// Stands where SMTP AUTH will stand: succeeds only with the token the token stage left behind.
    struct NeedsTokenStage: ConnectionStage {
        let name = "auth"
        func run(_ context: ConnectionTestContext) async throws -> String {
            guard let token = context.token else {
                throw OperatorError(reason: "no_token", message: "no token from the token stage", fix: "run the token stage first", transient: false)
            }
            return "would authenticate with a token valid for \(Int(token.lifetime)) s"
        }
    }

    @Test func stagesRunInOrderAndHandOverTheToken() async throws {
        let f = try TokenEndpointFixture(behaviour: .success(accessToken: "stand-in-token-for-auth", expiresIn: 3599))
        defer { f.close() }
        let test = ConnectionTest(stages: [TokenConnectionStage(client: f.client()), NeedsTokenStage()])
        let results = await test.run()
        #expect(results.map(\.stage) == ["token", "auth"])
        #expect(results.allSatisfy { $0.ok })
        #expect(results[0].summary.hasPrefix("token lifetime 3599 s (expires "))
        #expect(results[1].summary == "would authenticate with a token valid for 3599 s")
        #expect(!results.map { $0.render() }.joined().contains("stand-in-token-for-auth"))
    }

    @Test func aFailedStageStopsTheRun() async throws {
        let f = try TokenEndpointFixture(behaviour: .entraError(.tenantNotFound))
        defer { f.close() }
        let test = ConnectionTest(stages: [TokenConnectionStage(client: f.client()), NeedsTokenStage()])
        let seen = Mutex<[String]>([])
        let results = await test.run { result in seen.withLock { $0.append(result.stage) } }
        #expect(results.count == 1)
        #expect(seen.withLock { $0 } == ["token"])
        let failure = try #require(results[0].failure)
        #expect(failure.reason == "invalid_tenant")
        #expect(failure.message.hasPrefix("invalid OAuth endpoint or tenant identifier"))
        #expect(results[0].render().contains("FAILED"))
        #expect(results[0].render().contains("fix: set tenant_id to the Directory (tenant) ID"))
    }
}
