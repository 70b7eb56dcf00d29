import Foundation
internal import SecretWatchSQLite

/// The history of SIGHUP reloads: applied, unchanged, or rejected with the reason (the old configuration
/// kept running).
extension Store {
    public struct ReloadRecord: Sendable, Equatable {
        public var at: Date
        public var outcome: String
        public var reason: String?
        public var detail: String
    }

    public func recordReload(at: Date, outcome: String, reason: String?, detail: String) throws {
        try read { tx in
            try tx.run("INSERT INTO config_reloads (at, outcome, reason, detail) VALUES (?, ?, ?, ?)",
                       [at, outcome, reason, Redactor.scrub(detail)])
        }
    }

    public func reloads(limit: Int = 20) throws -> [ReloadRecord] {
        try read { tx in
            try tx.query("SELECT * FROM config_reloads ORDER BY id DESC LIMIT ?", [limit]).map {
                ReloadRecord(at: $0["at"].date!, outcome: $0["outcome"].string!, reason: $0["reason"].string, detail: $0["detail"].string!)
            }
        }
    }
}
