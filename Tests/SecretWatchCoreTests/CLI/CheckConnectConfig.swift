import Foundation
import SecretWatchStandIns

/// A configuration file pointing `smtp.auth` at the token stand-in, trusting its throwaway CA.
enum CheckConnectConfig {
    static func write(in fixture: TokenEndpointFixture, database: String) throws -> String {
        let yaml = """
            database: \(database)
            smtp:
              host: smtp.office365.com
              auth:
                name: smtp
                mailbox: ise-alerts@contoso.com
                tenant_id: \(TokenEndpointFixture.tenant)
                client_id: \(TokenEndpointFixture.client)
                client_secret_file: \(fixture.secretFile)
                secret_expires: 2027-12-28
                token_endpoint: \(fixture.standIn.tokenEndpointTemplate)
            token:
              connect_timeout: 5s
              timeout: 10s
              ca_file: \(fixture.ca.certificatePath)
            notifications:
              to: [mail-admins@contoso.com]
            """
        return try fixture.pki.write(yaml, to: "secretwatch.yml")
    }
}
