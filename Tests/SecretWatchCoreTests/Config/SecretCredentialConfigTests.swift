import Foundation
import Testing
@testable import SecretWatchCore

/// `client_secret_credential: NAME`: the secret is the systemd credential NAME, the file of that name in
/// `$CREDENTIALS_DIRECTORY` (`LoadCredential=NAME:PATH` in the unit). The failures the fixtures cannot reach
/// (they load without the variable) are here.
@Suite("Client secrets from systemd credentials")
struct SecretCredentialConfigTests {
    static func config(dir: TemporaryDirectory) throws -> String {
        try dir.write("c.yml", """
            smtp:
              auth:
                mailbox: sender@contoso.com
                tenant_id: \(TestConfig.tenant)
                client_id: \(TestConfig.client)
                client_secret_credential: smtp-secret
                secret_expires: 2027-05-31
            notifications:
              to: [admin@contoso.com]
            """)
    }

    @Test("a credential in $CREDENTIALS_DIRECTORY loads, and its value is what the token client reads")
    func credentialIsRead() throws {
        let dir = TemporaryDirectory()
        let credentials = TemporaryDirectory()
        try credentials.write("smtp-secret", "credential-secret-value\n", mode: 0o400)
        let environment = ["CREDENTIALS_DIRECTORY": credentials.path]
        let config = try ConfigLoader(environment: environment).load(path: try Self.config(dir: dir)).config
        #expect(config.smtp.auth.secret == .credential("smtp-secret"))
        #expect(try SecretReader.read(.credential("smtp-secret"), environment: environment) == "credential-secret-value")
        #expect(Redactor.scrub("token credential-secret-value") == "token [REDACTED]")
    }

    @Test("a credential missing from $CREDENTIALS_DIRECTORY names the file and the LoadCredential= line the unit needs")
    func missingCredential() throws {
        let dir = TemporaryDirectory()
        let credentials = TemporaryDirectory()
        do {
            _ = try ConfigLoader(environment: ["CREDENTIALS_DIRECTORY": credentials.path]).load(path: try Self.config(dir: dir))
            Issue.record("loaded without the credential file")
        } catch let error as ConfigError {
            #expect(error.problems.map(\.description) == [
                "smtp.auth.client_secret_credential: systemd credential \"smtp-secret\" is not in $CREDENTIALS_DIRECTORY (\(credentials.file("smtp-secret")) does not exist); the unit needs LoadCredential=smtp-secret:/etc/secretwatch/client-secret",
            ])
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("reading a credential without $CREDENTIALS_DIRECTORY (a token request outside the unit) is a clear error")
    func readWithoutDirectory() {
        #expect(throws: SecretReader.Failure.self) { try SecretReader.read(.credential("smtp-secret"), environment: [:]) }
        do {
            _ = try SecretReader.read(.credential("smtp-secret"), environment: [:])
        } catch {
            #expect("\(error)".contains("$CREDENTIALS_DIRECTORY is not set"))
        }
    }
}
