import Foundation
import Logging
import Testing
import SecretWatchTesting
@testable import SecretWatchCore

/// A configuration with `discovery:` is accepted while this version does not read Graph yet: the daemon says so
/// once, at notice level, and otherwise runs as without the section.
@Suite struct DaemonDiscoveryNoticeTests {
    static let notice = "discovery is configured but not performed by this version"

    func passes(discovery: String) async throws -> [String] {
        let dir = TemporaryDirectory()
        let config = try TestConfig.load(in: dir, expires: Date().addingTimeInterval(100 * 86400), extra: discovery)
        let sink = MemoryLogSink()
        let daemon = try Daemon(config: config, clock: ManualClock(now: Date()),
                                logger: Logger(label: "secretwatch") { KeyValueLogHandler(label: $0, level: .info, sink: sink) })
        _ = await daemon.runOnce()
        _ = await daemon.runOnce()
        return sink.lines.filter { $0.contains(Self.notice) }
    }

    @Test("configured discovery is announced once, at notice level, naming how many tenants")
    func announcedOnce() async throws {
        let lines = try await passes(discovery: """
            discovery:
              tenants:
                - name: contoso
                  use_smtp_credential: true
                - name: fabrikam
                  tenant_id: fabrikam.onmicrosoft.com
                  client_id: \(TestConfig.otherClient)
                  client_secret_file: secret.txt
            """)
        #expect(lines.count == 1, "\(lines)")
        #expect(lines.first?.contains("level=notice") == true, "\(lines)")
        #expect(lines.first?.contains("tenants=2") == true, "\(lines)")
    }

    @Test("without discovery: nothing is said about it")
    func silentWithoutDiscovery() async throws {
        #expect(try await passes(discovery: "").isEmpty)
    }
}
