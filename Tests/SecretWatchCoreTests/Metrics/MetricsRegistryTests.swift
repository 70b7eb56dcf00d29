import Foundation
import Testing
@testable import SecretWatchCore

/// The registry's store refresh: credential families are read again only when the credentials changed, and
/// follow every change.
@Suite struct MetricsRegistryTests {
    @Test func credentialFamiliesAreReusedUntilTheCredentialsChange() throws {
        let s = try TestServer()
        var credentials = try s.seedStandard()
        let first = try #require(try s.metrics.scrape().exposition.segments.first)

        // A pass that changes nothing in the credentials (an alarm is acknowledged, a refresh follows).
        s.metrics.refreshFromStore()
        s.metrics.flush()
        #expect(try s.metrics.scrape().exposition.segments.first === first, "unchanged credentials were rendered again")

        // A rotation changes the expiry: the families follow.
        credentials[1] = s.credential("bravo", expiresInDays: 400, client: 2)
        try s.store.syncCredentials(credentials, now: s.clock.now())
        s.metrics.refreshFromStore()
        s.metrics.flush()
        let text = try s.metrics.text()
        let bravo = Int(credentials[1].expiresAt!.timeIntervalSince1970)
        #expect(text.contains(#"secretwatch_client_secret_expiry_timestamp_seconds{credential="bravo",tenant_id="11111111-2222-4333-8444-555555555555",client_id="aaaaaaaa-bbbb-4ccc-8ddd-000000000002",type="secret",source="config"} \#(bravo)"#))
        #expect(try s.metrics.scrape().exposition.segments.first !== first)
    }

    @Test func aWriteByAnotherConnectionIsSeen() throws {
        let s = try TestServer()
        let credentials = try s.seedStandard()
        // Another process (a second `secretwatch` on the same database) renames nothing but adds a credential.
        let other = try Store(path: s.store.path, now: s.clock.now())
        try other.syncCredentials(credentials + [s.credential("foxtrot", expiresInDays: 50, client: 7)], now: s.clock.now())
        s.metrics.refreshFromStore()
        s.metrics.flush()
        #expect(try s.metrics.text().contains(#"secretwatch_credential_info{credential="foxtrot""#))
    }

    @Test func theVersionMovesWithCredentialWritesOnly() throws {
        let s = try TestServer()
        let credentials = try s.seedStandard()
        let before = try s.store.credentialsVersion()
        _ = try s.store.credentials()
        #expect(try s.store.credentialsVersion() == before)
        try s.store.syncCredentials(credentials, now: s.clock.now())
        #expect(try s.store.credentialsVersion() != before)
        var names: [String] = []
        try s.store.forEachWatchedCredential { names.append($0.name) }
        #expect(names == ["alpha", "bravo", "charlie", "delta", "echo", "smtp"])
    }
}
