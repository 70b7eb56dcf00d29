import Foundation
import Testing
import SecretWatchStandIns
import SecretWatchCrypto
@testable import SecretWatchCore

@Suite("secretwatch check --connect and status (token step)")
struct CheckConnectTests {
    @Test func successPrintsTheStageDurationAndLifetimeButNotTheToken() async throws {
        let f = try TokenEndpointFixture(behaviour: .success(accessToken: "stand-in-token-for-cli-0042", expiresIn: 3599))
        defer { f.close() }
        let smtp = try await SMTPTestServer.start(acceptedTokens: ["stand-in-token-for-cli-0042"])
        defer { smtp.stop() }
        let config = try CheckConnectConfig.write(in: f, database: f.pki.directory + "/sw.db", smtp: smtp)
        let out = try await SecretWatchCLI.run(["check", "--config", config, "--connect"])
        #expect(out.status == 0, "\(out.all)")
        for stage in ["connect", "EHLO", "STARTTLS", "AUTH", "QUIT"] {
            #expect(out.stdout.split(separator: "\n").contains { $0.hasPrefix(stage + " ") && $0.contains(" ok ") }, "stage \(stage): \(out.stdout)")
        }
        #expect(try smtp.stats().messages == 0)
        let line = try #require(out.stdout.split(separator: "\n").first { $0.hasPrefix("token ") && $0.contains(" ms ") })
        #expect(line.contains(" ok "))
        #expect(line.contains(" ms  token lifetime 3599 s"))
        #expect(out.stdout.contains("connection test passed"))
        #expect(!out.all.contains("stand-in-token-for-cli-0042"))
        #expect(f.standIn.requestCount == 1)
    }

    @Test func theChainsOfTheTokenEndpointAndTheSMTPServerArePrintedAfterTheStages() async throws {
        let f = try TokenEndpointFixture(behaviour: .success(accessToken: "stand-in-token-for-cli-0043", expiresIn: 3599))
        defer { f.close() }
        let smtp = try await SMTPTestServer.start(acceptedTokens: ["stand-in-token-for-cli-0043"])
        defer { smtp.stop() }
        let config = try CheckConnectConfig.write(in: f, database: f.pki.directory + "/sw.db", smtp: smtp)
        let out = try await SecretWatchCLI.run(["check", "--config", config, "--connect"])
        #expect(out.status == 0, "\(out.all)")
        let lines = out.stdout.split(separator: "\n").map(String.init)
        let start = try #require(lines.firstIndex(of: "certificate chains:"), "\(out.stdout)")
        let quit = try #require(lines.firstIndex { $0.hasPrefix("QUIT ") })
        #expect(start > quit, "the chains come after the stages")
        let leaf = try X509Certificate(pemFile: f.pki.directory + "/token-endpoint.crt")
        let token = try #require(lines.firstIndex(of: "  token endpoint 127.0.0.1:\(f.standIn.port)"), "\(out.stdout)")
        #expect(token > start)
        let leafLine = lines[token + 1]
        #expect(leafLine.hasPrefix("    leaf "))
        #expect(leafLine.contains(leaf.subject) && leafLine.contains("(issuer \(leaf.issuer))"))
        #expect(leafLine.contains("notAfter \(Timestamps.rfc3339(leaf.notAfter)), 397 days left"))
        let server = try #require(lines.firstIndex { $0.hasPrefix("  SMTP server ") && $0.hasSuffix(":\(smtp.port)") }, "\(out.stdout)")
        #expect(lines[server + 1].hasPrefix("    leaf ") && lines[server + 1].contains("days left"))
    }

    @Test func failurePrintsReasonAndFixAndExitsOne() async throws {
        let f = try TokenEndpointFixture(behaviour: .entraError(.invalidClientSecret))
        defer { f.close() }
        let config = try CheckConnectConfig.write(in: f, database: f.pki.directory + "/sw.db")
        let out = try await SecretWatchCLI.run(["check", "--config", config, "--connect"])
        #expect(out.status == 1)
        #expect(out.stdout.contains("FAILED"))
        #expect(out.stdout.contains("invalid_client_secret: invalid client secret (AADSTS7000215)"))
        #expect(out.stdout.contains("fix: put the secret's Value, not its Secret ID"))
        #expect(out.stdout.contains(f.standIn.traceIds[0]))
        #expect(out.stderr.contains("connection test failed at stage token: invalid_client_secret"))
    }

    @Test func connectTimeoutReadsCheckTheProxy() async throws {
        let f = try TokenEndpointFixture()
        defer { f.close() }
        let blackhole = try BlackholeListener()
        defer { blackhole.stop() }
        var config = try String(contentsOfFile: CheckConnectConfig.write(in: f, database: f.pki.directory + "/sw.db"), encoding: .utf8)
        config = config.replacingOccurrences(of: "127.0.0.1:\(f.standIn.port)", with: "127.0.0.1:\(blackhole.port)")
            .replacingOccurrences(of: "connect_timeout: 5s", with: "connect_timeout: 1s")
        let path = try f.pki.write(config, to: "blackhole.yml")
        let out = try await SecretWatchCLI.run(["check", "--config", path, "--connect"])
        #expect(out.status == 1)
        #expect(out.stdout.contains("connect_timeout: connect timed out: cannot reach 127.0.0.1:\(blackhole.port) within 1s"))
        #expect(out.stdout.contains("fix: check the proxy"))
    }

    @Test func statusShowsTheLastTokenAttemptAndItsReason() async throws {
        let f = try TokenEndpointFixture(behaviour: .entraError(.tenantNotFound))
        defer { f.close() }
        let database = f.pki.directory + "/sw.db"
        let config = try CheckConnectConfig.write(in: f, database: database)
        let run = try await SecretWatchCLI.run(["run", "--once", "--config", config])
        #expect(f.standIn.requestCount == 1, "\(run.all)")
        let status = try await SecretWatchCLI.run(["status", "--config", config])
        #expect(status.status == 0, "\(status.all)")
        #expect(status.stdout.contains("last token attempt (smtp): "))
        #expect(status.stdout.contains("failed: invalid_tenant — invalid OAuth endpoint or tenant identifier"))
        let json = try await SecretWatchCLI.run(["status", "--config", config, "--json"])
        #expect(json.stdout.contains("\"last_token_attempt\""))
        #expect(json.stdout.contains("\"reason\" : \"invalid_tenant\"") || json.stdout.contains("\"reason\":\"invalid_tenant\""))
    }
}
