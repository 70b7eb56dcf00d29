import Foundation
import Testing
@testable import SecretWatchCore

/// `secretwatch check` on a configuration with `discovery:`: valid sections pass and are summarised; bad ones fail
/// with exit 2 naming the field.
@Suite struct CheckDiscoveryCLITests {
    func check(_ discovery: String) async throws -> ProcessOutput {
        let dir = TemporaryDirectory()
        try dir.write("secret.txt", "check-canary-secret-4711\n", mode: 0o600)
        let path = try dir.write("c.yml", TestConfig.yaml(database: dir.file("sw.db"), expires: Date.utc("2027-05-31T00:00:00Z"),
                                                          extra: discovery))
        return try await runProcess(TestPaths.executable, ["check", "--config", path], environment: [:])
    }

    @Test("a valid discovery section passes and is summarised")
    func valid() async throws {
        let out = try await check("""
            discovery:
              interval: 6h
              graph_endpoint: https://graph.microsoft.us
              tenants:
                - name: contoso
                  use_smtp_credential: true
                - name: fabrikam
                  tenant_id: fabrikam.onmicrosoft.us
                  client_id: \(TestConfig.otherClient)
                  client_secret_file: secret.txt
            """)
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.contains("discovery: 2 tenants (contoso, fabrikam) via https://graph.microsoft.us every 6h (secretwatch discover shows what Graph returns now)"), "\(out.stdout)")
        #expect(!out.stdout.contains("check-canary-secret-4711"))
    }

    @Test("without the section there is no discovery line; a bad section exits 2 naming the field")
    func absentAndInvalid() async throws {
        let plain = try await check("")
        #expect(plain.status == 0 && !plain.stdout.contains("discovery:"), "\(plain.stdout)")
        let bad = try await check("discovery:\n  tenants:\n    - use_smtp_credential: true\n      include_app_ids: [ISE-SMTP]")
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("  - discovery.tenants[0].include_app_ids[0]: \"ISE-SMTP\" is not a GUID"), "\(bad.stderr)")
    }
}
