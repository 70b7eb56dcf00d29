import Foundation
import Testing
@testable import SecretWatchCore

/// The built daemon with one relay receiver `ops` (shared token file), against the stand-ins (mail lands in the
/// Exchange stand-in's directory), plus a real Alertmanager pointed at it, directly or through a proxy.
final class RelayHarness: @unchecked Sendable {
    // `@unchecked Sendable`: one test drives a harness from one task.
    static let token = "relay-e2e-token-4f1c9a2b7d"
    static let oncall = "oncall@contoso.example"
    static let lead = "lead@contoso.example"

    let h: EndToEndHarness
    var tokenPath: String { h.dir.file("relay.token") }
    var relayURL: String { "http://127.0.0.1:\(h.httpPort)/api/v1/relay/ops" }
    private(set) var alertmanager: AlertmanagerServer?

    init() throws {
        h = try EndToEndHarness()
        try h.dir.write("relay.token", Self.token + "\n", mode: 0o600)
        try h.writeConfig(smtpExpires: Date().addingTimeInterval(3650 * 86400), interval: "1h", extra: """
            relay:
              token_file: \(tokenPath)
              receivers:
                - name: ops
                  to: [\(Self.oncall)]
                  cc: [\(Self.lead)]
            """)
    }

    /// Starts Alertmanager sending to `url` (the daemon's relay URL unless told) with the token in
    /// `credentialsFile` (the daemon's token file unless told; nil sends no Authorization header).
    @discardableResult
    func startAlertmanager(url: String? = nil, credentialsFile: String?? = .none, name: String = "alertmanager") async throws -> AlertmanagerServer {
        let credentials: String? = switch credentialsFile {
        case .none: tokenPath
        case .some(let file): file
        }
        let server = try AlertmanagerServer(webhookURL: url ?? relayURL, credentialsFile: credentials,
                                            directory: h.dir.url.appendingPathComponent(name))
        alertmanager = server
        try await server.waitUntilReady()
        return server
    }

    func stop() async {
        await alertmanager?.stop()
        _ = try? await h.stopDaemon()
    }

    /// The mails at the Exchange stand-in whose subject contains `text` (no alarm is due here: the sending
    /// credential expires in ten years and nothing else is watched, so every mail is relay mail).
    func mails(_ text: String) -> [String] {
        h.receivedMail().map(\.text).filter { EndToEndHarness.subject($0).contains(text) }
    }

    func metrics() throws -> String { try h.get("/metrics").text }

    /// Waits until the daemon's outbox is empty (every queued mail delivered or given up).
    func waitForEmptyOutbox() async throws {
        try await h.waitUntil("an empty outbox") { try self.metrics().contains("\nsecretwatch_outbox_messages 0\n") }
    }

    /// Waits until Alertmanager has counted a failed webhook notification, and returns its log.
    func waitForAlertmanagerFailure(_ server: AlertmanagerServer) async throws -> String {
        try await h.waitUntil("Alertmanager to count a failed webhook notification") {
            try server.metric(AlertmanagerServer.webhookFailures) >= 1
        }
        return server.log
    }
}
