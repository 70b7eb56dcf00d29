import Foundation
import Testing
@testable import SecretWatchCore

/// What discovery puts on `/metrics`: type and source of every credential, the comparison of each configured
/// secret with Entra, and each tenant's discovery health, all following the discoveries as they are stored.
@Suite struct DiscoveryMetricsTests {
    static let tenant = TestServer.tenant

    /// The value of the one sample whose line starts with `series` (`name{labels}`); nil when absent.
    static func value(_ text: String, _ series: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.dropFirst(series.count + 1)) }
    }

    @Test func everyCredentialCarriesItsTypeSourceAndWhoUsesIt() throws {
        let s = try TestServer()
        try s.seedDiscovery()
        let text = try s.metrics.text()
        let smtpClient = "aaaaaaaa-bbbb-4ccc-8ddd-000000000006"
        #expect(text.contains(#"secretwatch_credential_info{credential="smtp",display_name="App smtp",tenant_id="\#(Self.tenant)",client_id="\#(smtpClient)",has_secret="true",type="secret",source="config",in_use_by="",thumbprint=""} 1"#))
        // The discovered secret the SMTP credential uses appears with its own name, source graph, and who uses it.
        #expect(text.contains(#"secretwatch_credential_info{credential="Mailer/smtp-2026",display_name="smtp-2026",tenant_id="\#(Self.tenant)",client_id="\#(smtpClient)",has_secret="false",type="secret",source="graph",in_use_by="smtp",thumbprint=""} 1"#))
        #expect(text.contains(#"secretwatch_credential_info{credential="Mailer/smtp-2027",display_name="smtp-2027",tenant_id="\#(Self.tenant)",client_id="\#(smtpClient)",has_secret="false",type="secret",source="graph",in_use_by="",thumbprint=""} 1"#))
        #expect(Self.value(text, #"secretwatch_client_secret_expiry_timestamp_seconds{credential="Payroll/signing",tenant_id="\#(Self.tenant)",client_id="aaaaaaaa-bbbb-4ccc-8ddd-000000000009",type="certificate",source="graph"}"#)
                == Double(1796087400 + 365 * 86400))
        // The configured credential's expiry is Entra's date of the secret in use (90 days), not the configured 100.
        #expect(Self.value(text, #"secretwatch_client_secret_expiry_timestamp_seconds{credential="smtp",tenant_id="\#(Self.tenant)",client_id="\#(smtpClient)",type="secret",source="config"}"#)
                == Double(1796087400 + 90 * 86400))
        // A reader credential has no expiry date until discovery tells it.
        #expect(text.contains(#"secretwatch_credential_info{credential="discovery:fabrikam""#))
        #expect(!text.contains(#"secretwatch_client_secret_expiry_timestamp_seconds{credential="discovery:fabrikam""#))
    }

    @Test func theSecretInUseIsComparedWithEntraPerConfiguredCredential() throws {
        let s = try TestServer()
        try s.seedDiscovery()
        var text = try s.metrics.text()
        #expect(Self.value(text, #"secretwatch_credential_entra_expiry_timestamp_seconds{credential="smtp"}"#) == Double(1796087400 + 90 * 86400))
        #expect(Self.value(text, #"secretwatch_credential_configured_expiry_timestamp_seconds{credential="smtp"}"#) == Double(1796083200 + 100 * 86400))
        for (state, value) in [("matched", 1.0), ("ambiguous", 0), ("not_in_entra", 0), ("app_not_found", 0)] {
            #expect(Self.value(text, #"secretwatch_credential_secret_in_use{credential="smtp",state="\#(state)"}"#) == value, "smtp \(state)")
        }
        #expect(Self.value(text, #"secretwatch_credential_secret_in_use{credential="delta",state="not_in_entra"}"#) == 1)
        #expect(Self.value(text, #"secretwatch_credential_secret_in_use{credential="delta",state="matched"}"#) == 0)
        #expect(Self.value(text, #"secretwatch_credential_entra_expiry_timestamp_seconds{credential="delta"}"#) == nil)
        #expect(Self.value(text, #"secretwatch_credential_rotation_pending{credential="smtp"}"#) == 1)
        #expect(Self.value(text, #"secretwatch_credential_rotation_pending_since_timestamp_seconds{credential="smtp"}"#) == Double(1796087400 - 3 * 86400))
        #expect(Self.value(text, #"secretwatch_credential_rotation_pending{credential="delta"}"#) == 0)
        // Credentials discovery did not compare (no secret, other tenant) have no comparison series.
        #expect(!text.contains(#"secretwatch_credential_secret_in_use{credential="alpha""#))

        // The next discovery: the newer secret is gone (smtp's is the newest) and delta's hint is found twice.
        s.clock.advance(by: 3600)
        try s.discover(s.discoverySuccess(s.contosoFound(smtpNewest: true, deltaFound: true)))
        text = try s.metrics.text()
        #expect(Self.value(text, #"secretwatch_credential_rotation_pending{credential="smtp"}"#) == 0)
        #expect(Self.value(text, #"secretwatch_credential_rotation_pending_since_timestamp_seconds{credential="smtp"}"#) == nil)
        #expect(Self.value(text, #"secretwatch_credential_secret_in_use{credential="delta",state="not_in_entra"}"#) == 0)
        #expect(Self.value(text, #"secretwatch_credential_secret_in_use{credential="delta",state="ambiguous"}"#) == 1)
        #expect(!text.contains(#"credential="Mailer/smtp-2027""#))
    }

    @Test func discoveryHealthPerTenantFollowsEveryRun() throws {
        let s = try TestServer()
        try s.seedDiscovery()
        var text = try s.metrics.text()
        #expect(Self.value(text, #"secretwatch_discovery_up{tenant="contoso"}"#) == 1)
        #expect(Self.value(text, #"secretwatch_discovery_last_success_timestamp_seconds{tenant="contoso"}"#) == 1796087400)
        #expect(Self.value(text, #"secretwatch_discovery_last_run_timestamp_seconds{tenant="contoso"}"#) == 1796087400)
        #expect(Self.value(text, #"secretwatch_discovery_last_run_duration_seconds{tenant="contoso"}"#) == 2.5)
        #expect(Self.value(text, #"secretwatch_discovery_applications{tenant="contoso"}"#) == 3)
        #expect(Self.value(text, #"secretwatch_discovery_credentials{tenant="contoso"}"#) == 3)
        #expect(Self.value(text, #"secretwatch_discovery_runs_total{tenant="contoso",outcome="success"}"#) == 1)
        #expect(Self.value(text, #"secretwatch_discovery_runs_total{tenant="contoso",outcome="failure"}"#) == 1)
        #expect(Self.value(text, #"secretwatch_discovery_failures_total{tenant="contoso",reason="graph_permission_missing"}"#) == 1)
        // fabrikam never succeeded.
        #expect(Self.value(text, #"secretwatch_discovery_up{tenant="fabrikam"}"#) == 0)
        #expect(Self.value(text, #"secretwatch_discovery_last_success_timestamp_seconds{tenant="fabrikam"}"#) == nil)
        #expect(Self.value(text, #"secretwatch_discovery_applications{tenant="fabrikam"}"#) == nil)
        #expect(Self.value(text, #"secretwatch_discovery_failures_total{tenant="fabrikam",reason="invalid_client_secret"}"#) == 1)

        // A failed discovery writes no credential: its run shows anyway at the pass's refresh, and the last
        // success stays.
        let version = try s.store.credentialsVersion()
        s.clock.advance(by: 3600)
        try s.discover(s.discoveryFailure("contoso", reason: "graph_throttled", duration: 30))
        #expect(try s.store.credentialsVersion() == version)
        text = try s.metrics.text()
        #expect(Self.value(text, #"secretwatch_discovery_up{tenant="contoso"}"#) == 0)
        #expect(Self.value(text, #"secretwatch_discovery_last_run_timestamp_seconds{tenant="contoso"}"#) == 1796091000)
        #expect(Self.value(text, #"secretwatch_discovery_last_run_duration_seconds{tenant="contoso"}"#) == 30)
        #expect(Self.value(text, #"secretwatch_discovery_last_success_timestamp_seconds{tenant="contoso"}"#) == 1796087400)
        #expect(Self.value(text, #"secretwatch_discovery_applications{tenant="contoso"}"#) == 3)
        #expect(Self.value(text, #"secretwatch_discovery_runs_total{tenant="contoso",outcome="failure"}"#) == 2)
        #expect(Self.value(text, #"secretwatch_discovery_failures_total{tenant="contoso",reason="graph_throttled"}"#) == 1)
    }

    @Test func aRestartShowsTheLastRunsAndCountsFromZero() throws {
        let s = try TestServer()
        try s.seedDiscovery()
        let restarted = MetricsRegistry(store: s.store, schedulerSteps: [], live: LiveMetrics(maxAge: .zero))
        restarted.refreshFromStore()
        restarted.flush()
        let text = try restarted.text()
        #expect(Self.value(text, #"secretwatch_discovery_up{tenant="contoso"}"#) == 1)
        #expect(Self.value(text, #"secretwatch_discovery_last_success_timestamp_seconds{tenant="contoso"}"#) == 1796087400)
        #expect(Self.value(text, #"secretwatch_discovery_up{tenant="fabrikam"}"#) == 0)
        #expect(Self.value(text, #"secretwatch_discovery_runs_total{tenant="contoso",outcome="success"}"#) == 0)
        #expect(Self.value(text, #"secretwatch_discovery_runs_total{tenant="contoso",outcome="failure"}"#) == 0)
        #expect(!text.contains("secretwatch_discovery_failures_total{"))
        #expect(Self.value(text, #"secretwatch_credential_secret_in_use{credential="smtp",state="matched"}"#) == 1)
    }

    @Test func aTenantNoLongerConfiguredIsNotExported() throws {
        let s = try TestServer()
        let configured = try s.seedDiscovery()
        try s.store.syncCredentials(configured.filter { $0.name != "discovery:fabrikam" }, now: s.clock.now())
        s.metrics.refreshFromStore()
        s.metrics.flush()
        let text = try s.metrics.text()
        #expect(!text.contains(#"tenant="fabrikam""#))
        #expect(text.contains(#"secretwatch_discovery_up{tenant="contoso"} 1"#))
    }

    @Test func aTenantConfiguredButNotYetDiscoveredHasZeroCountersOnly() throws {
        let s = try TestServer()
        try s.store.syncCredentials(s.discoveryConfigured(try s.seedStandard(), tenants: ["contoso"]), now: s.clock.now())
        s.metrics.refreshFromStore()
        s.metrics.flush()
        let text = try s.metrics.text()
        #expect(Self.value(text, #"secretwatch_discovery_runs_total{tenant="contoso",outcome="success"}"#) == 0)
        #expect(Self.value(text, #"secretwatch_discovery_up{tenant="contoso"}"#) == nil)
        #expect(Self.value(text, #"secretwatch_discovery_last_success_timestamp_seconds{tenant="contoso"}"#) == nil)
    }
}
