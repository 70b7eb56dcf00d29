import Foundation
import Testing
@testable import SecretWatchCore

/// A configured certificate credential reads as `type: certificate` with its thumbprint in `/api/v1/credentials`
/// and in `secretwatch_credential_info`, and keeps both across a restart (the stored row).
@Suite("Certificate credentials in the API and the metrics")
struct CertificateCredentialAPITests {
    static let thumbprint = "3B543DB146FDAE1BBC4C61BEC6114FF6F64EBB1D"

    @Test func typeAndThumbprintAreShown() throws {
        let s = try TestServer()
        var portal = s.credential("portal", expiresInDays: 40, client: 7)
        portal.type = .certificate
        portal.thumbprint = Self.thumbprint
        portal.hasSecret = true
        try s.store.syncCredentials([s.credential("smtp", expiresInDays: 100, mailbox: "alerts@contoso.example", client: 6), portal],
                                    now: s.clock.now())
        s.metrics.refreshFromStore()
        s.metrics.flush()

        let stored = try #require(try s.store.credential(named: "portal"))
        #expect(stored.credential.type == .certificate && stored.credential.thumbprint == Self.thumbprint)

        let list = try #require(try s.get("/api/v1/credentials").json()["credentials"] as? [[String: Any]])
        let row = try #require(list.first { $0["name"] as? String == "portal" })
        #expect(row["type"] as? String == "certificate" && row["thumbprint"] as? String == Self.thumbprint)
        #expect(list.first { $0["name"] as? String == "smtp" }?["thumbprint"] is NSNull)

        let text = try s.metrics.text()
        #expect(text.contains(#"credential="portal",display_name="App portal",tenant_id="\#(TestServer.tenant)",client_id="aaaaaaaa-bbbb-4ccc-8ddd-000000000007",has_secret="true",type="certificate",source="config",in_use_by="",thumbprint="\#(Self.thumbprint)"} 1"#), "\(text)")
        #expect(text.contains(#"secretwatch_client_secret_expiry_timestamp_seconds{credential="portal",tenant_id="\#(TestServer.tenant)",client_id="aaaaaaaa-bbbb-4ccc-8ddd-000000000007",type="certificate",source="config"}"#))
    }
}
