import Foundation
import Testing
import SecretWatchStandIns
@testable import SecretWatchCore

/// A certificate credential's private key goes through every path (check --connect, run --once, a portal page
/// that quotes the request, refusals, status, alarms): no line of the key file, and no signed assertion, is in
/// any output or any row of the database.
@Suite("The private key never leaves the process")
struct PrivateKeyCanaryTests {
    static let token = "CANARY-TOKEN-cert-7d6c5b4a3f2e"

    @Test func noLineOfTheKeyInAnyOutputOrRow() async throws {
        let f = try TokenEndpointFixture(behaviour: .success(accessToken: Self.token, expiresIn: 3599))
        defer { f.close() }
        let (app, certificate) = try f.appCertificate("app")
        let smtp = try await SMTPTestServer.start(acceptedTokens: [Self.token])
        defer { smtp.stop() }
        let database = f.pki.directory + "/sw.db"
        let config = try CheckConnectConfig.write(in: f, database: database, smtp: smtp,
                                                  auth: ["client_certificate_file: \(app.certificatePath)",
                                                         "client_key_file: \(app.keyPath)"])
        var outputs: [SecretWatchCLI.Output] = []
        outputs.append(try await SecretWatchCLI.run(["check", "--config", config]))
        outputs.append(try await SecretWatchCLI.run(["check", "--config", config, "--connect"]))
        outputs.append(try await SecretWatchCLI.run(["run", "--once", "--config", config, "--log-level", "trace", "--deliver-timeout", "5s"]))
        f.standIn.setBehaviour(.captivePortal(echoRequest: true))
        outputs.append(try await SecretWatchCLI.run(["check", "--config", config, "--connect", "--log-level", "trace"]))
        f.standIn.setBehaviour(.success(accessToken: Self.token, expiresIn: 3599))
        f.standIn.assertions.register(certificate) // registered twice: still one app, still verified
        outputs.append(try await SecretWatchCLI.run(["send-test", "--config", config, "--to", "you@contoso.com", "--log-level", "trace"]))
        outputs.append(try await SecretWatchCLI.run(["status", "--config", config]))
        outputs.append(try await SecretWatchCLI.run(["status", "--config", config, "--json"]))
        outputs.append(try await SecretWatchCLI.run(["alarms", "--database", database, "--events"]))

        #expect(outputs[0].status == 0 && outputs[1].status == 0, "\(outputs[0].all)\n\(outputs[1].all)")
        #expect(outputs[0].stdout.contains("certificate \(app.certificatePath) (SHA-1 thumbprint \(certificate.sha1Thumbprint))"), "\(outputs[0].all)")
        #expect(outputs[3].status == 1 && outputs[3].all.contains("client_assertion=[REDACTED]"), "the echo path was exercised: \(outputs[3].all)")
        #expect(outputs[4].status == 0, "\(outputs[4].all)")
        let assertions = f.standIn.requests.compactMap { $0.form["client_assertion"] }
        #expect(assertions.count >= 4, "\(f.standIn.requests.count) requests")

        let keyLines = try String(contentsOfFile: app.keyPath, encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("-----") }.map(String.init)
        #expect(keyLines.count > 20)
        let texts = outputs.map(\.all) + (try SecretCanaryTests.dumpEveryTable(try Store(path: database)))
        for text in texts {
            for line in keyLines { #expect(!text.contains(line), "a line of the private key leaked: \(text)") }
            for assertion in assertions {
                let signature = String(assertion.split(separator: ".").last ?? "")
                #expect(!text.contains(signature), "a signed assertion leaked: \(text)")
            }
            #expect(!text.contains(Self.token))
        }
    }
}
