import Foundation
import SecretWatchStandIns

/// A configuration file pointing `smtp.auth` at the token stand-in, trusting its throwaway CA; with `smtp`, the
/// SMTP stages of `check --connect` go to that local aiosmtpd (trusting its CA). `extra` is appended (more
/// top-level sections).
enum CheckConnectConfig {
    static func write(in fixture: TokenEndpointFixture, database: String, smtp: SMTPTestServer? = nil,
                      expires: String = "2027-12-28", extra: String = "", auth: [String]? = nil) throws -> String {
        let credential = (auth ?? ["client_secret_file: \(fixture.secretFile)", "secret_expires: \(expires)"])
            .joined(separator: "\n    ")
        let server = smtp.map { "host: localhost\n  port: \($0.port)\n  ca_file: \($0.caFile)" } ?? "host: smtp.office365.com"
        let yaml = """
            database: \(database)
            smtp:
              \(server)
              auth:
                name: smtp
                mailbox: ise-alerts@contoso.com
                tenant_id: \(TokenEndpointFixture.tenant)
                client_id: \(TokenEndpointFixture.client)
                \(credential)
                token_endpoint: \(fixture.standIn.tokenEndpointTemplate)
            token:
              connect_timeout: 5s
              timeout: 10s
              ca_file: \(fixture.ca.certificatePath)
            notifications:
              to: [mail-admins@contoso.com]
            \(extra)
            """
        return try fixture.pki.write(yaml, to: "secretwatch.yml")
    }
}
