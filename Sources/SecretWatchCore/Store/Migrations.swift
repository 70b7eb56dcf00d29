/// The versioned schema. Each migration runs once, in its own transaction, at start-up; a database already
/// at the current version is left untouched. Append new migrations; never edit an applied one.
public enum Migrations {
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        public let sql: String
    }

    public static var currentVersion: Int { all.last!.version }

    public static let all: [Migration] = [
        Migration(version: 1, name: "credentials, alarms, alarm events, token attempts, deliveries", sql: """
            CREATE TABLE credentials (
                id            INTEGER PRIMARY KEY,
                name          TEXT NOT NULL UNIQUE,
                display_name  TEXT,
                tenant_id     TEXT NOT NULL,
                client_id     TEXT NOT NULL,
                mailbox       TEXT,
                has_secret    INTEGER NOT NULL DEFAULT 0,
                expires_at    REAL,
                watched       INTEGER NOT NULL DEFAULT 1,
                created_at    REAL NOT NULL,
                updated_at    REAL NOT NULL
            );
            CREATE TABLE alarms (
                id             INTEGER PRIMARY KEY,
                kind           TEXT NOT NULL,
                credential_id  INTEGER NOT NULL REFERENCES credentials(id),
                state          TEXT NOT NULL CHECK (state IN ('active', 'cleared')),
                severity       TEXT NOT NULL CHECK (severity IN ('warning', 'major', 'critical')),
                threshold_days INTEGER,
                expires_at     REAL,
                reason         TEXT,
                summary        TEXT NOT NULL,
                raised_at      REAL NOT NULL,
                updated_at     REAL NOT NULL,
                cleared_at     REAL,
                acked_at       REAL,
                acked_by       TEXT,
                ack_comment    TEXT,
                notified_at    REAL,
                notify_count   INTEGER NOT NULL DEFAULT 0
            );
            -- At most one active alarm per (kind, credential), enforced by the database itself.
            CREATE UNIQUE INDEX alarms_one_active ON alarms(kind, credential_id) WHERE state = 'active';
            CREATE INDEX alarms_by_raised ON alarms(raised_at DESC, id DESC);
            CREATE TABLE alarm_events (
                id        INTEGER PRIMARY KEY,
                alarm_id  INTEGER NOT NULL REFERENCES alarms(id),
                at        REAL NOT NULL,
                type      TEXT NOT NULL,
                severity  TEXT,
                detail    TEXT NOT NULL
            );
            CREATE INDEX alarm_events_by_alarm ON alarm_events(alarm_id, id);
            CREATE TABLE token_attempts (
                id               INTEGER PRIMARY KEY,
                credential_id    INTEGER NOT NULL REFERENCES credentials(id),
                started_at       REAL NOT NULL,
                duration_seconds REAL NOT NULL,
                outcome          TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
                reason           TEXT,
                http_status      INTEGER,
                aadsts_code      INTEGER,
                error            TEXT,
                message          TEXT,
                trace_id         TEXT,
                correlation_id   TEXT,
                expires_in       INTEGER
            );
            CREATE INDEX token_attempts_by_credential ON token_attempts(credential_id, id DESC);
            CREATE TABLE deliveries (
                id               INTEGER PRIMARY KEY,
                message_id       TEXT NOT NULL,
                attempted_at     REAL NOT NULL,
                duration_seconds REAL NOT NULL,
                recipients       TEXT NOT NULL,
                outcome          TEXT NOT NULL,
                reason           TEXT,
                smtp_code        INTEGER,
                enhanced_code    TEXT,
                reply            TEXT
            );
            CREATE INDEX deliveries_by_time ON deliveries(attempted_at DESC, id DESC);
            CREATE TABLE meta (
                key   TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
            """),
        Migration(version: 2, name: "mail outbox, per-recipient delivery state, configuration reloads", sql: """
            CREATE TABLE outbox (
                id              INTEGER PRIMARY KEY,
                message_id      TEXT NOT NULL UNIQUE,
                kind            TEXT NOT NULL,
                alarm_id        INTEGER REFERENCES alarms(id),
                mail_from       TEXT NOT NULL,
                subject         TEXT NOT NULL,
                content         TEXT NOT NULL,
                state           TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
                attempts        INTEGER NOT NULL DEFAULT 0,
                queued_at       REAL NOT NULL,
                next_attempt_at REAL NOT NULL,
                claimed_at      REAL,
                finished_at     REAL,
                last_reason     TEXT,
                last_reply      TEXT
            );
            CREATE INDEX outbox_due ON outbox(state, next_attempt_at, id);
            CREATE TABLE outbox_recipients (
                outbox_id     INTEGER NOT NULL REFERENCES outbox(id),
                address       TEXT NOT NULL,
                state         TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'refused')),
                smtp_code     INTEGER,
                enhanced_code TEXT,
                reply         TEXT,
                updated_at    REAL,
                PRIMARY KEY (outbox_id, address)
            );
            CREATE TABLE config_reloads (
                id      INTEGER PRIMARY KEY,
                at      REAL NOT NULL,
                outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'unchanged', 'rejected')),
                reason  TEXT,
                detail  TEXT NOT NULL
            );
            """),
        Migration(version: 3, name: "outbox index for the depth and oldest-queued gauges", sql: """
            -- Depth and oldest queued time are read after every delivery attempt: answer them from the index
            -- instead of reading every waiting message (each holds its whole rendered e-mail).
            CREATE INDEX outbox_waiting ON outbox(state, queued_at);
            """),
        Migration(version: 4, name: "recipients settled only by an accepted message; one name for a TLS handshake failure", sql: """
            -- A recipient is accepted only when its message is: an unfinished message whose last attempt was not
            -- accepted (e.g. refused at the end of DATA) has every such recipient back in its envelope.
            UPDATE outbox_recipients SET state = 'pending'
            WHERE state = 'accepted' AND outbox_id IN (
                SELECT o.id FROM outbox o
                WHERE o.state IN ('queued', 'sending')
                  AND COALESCE((SELECT d.outcome FROM deliveries d WHERE d.message_id = o.message_id
                                ORDER BY d.id DESC LIMIT 1), 'deferred') NOT IN ('sent', 'partial'));
            -- The token endpoint and the SMTP server name a failed TLS handshake alike.
            UPDATE token_attempts SET reason = 'tls_handshake' WHERE reason = 'tls_handshake_failed';
            UPDATE alarms SET reason = 'tls_handshake' WHERE reason = 'tls_handshake_failed';
            """),
        Migration(version: 5, name: "credentials discovered through Microsoft Graph, the secret in use, discovery runs", sql: """
            -- Where a credential comes from (config, graph), what it is (secret, certificate) and, for one read
            -- from Graph, its key id and the discovery tenant that listed it. A configured credential whose
            -- secret was found in Graph by its hint carries what Graph says of that secret; a discovered one
            -- that a configured credential uses names it (its alarms are that credential's).
            ALTER TABLE credentials ADD COLUMN source TEXT NOT NULL DEFAULT 'config';
            ALTER TABLE credentials ADD COLUMN type TEXT NOT NULL DEFAULT 'secret';
            ALTER TABLE credentials ADD COLUMN key_id TEXT;
            ALTER TABLE credentials ADD COLUMN discovery_tenant TEXT;
            ALTER TABLE credentials ADD COLUMN app_name TEXT;
            ALTER TABLE credentials ADD COLUMN started_at REAL;
            ALTER TABLE credentials ADD COLUMN entra_expires_at REAL;
            ALTER TABLE credentials ADD COLUMN match_state TEXT;
            ALTER TABLE credentials ADD COLUMN match_key_id TEXT;
            ALTER TABLE credentials ADD COLUMN newer_secret_created_at REAL;
            ALTER TABLE credentials ADD COLUMN matched_at REAL;
            ALTER TABLE credentials ADD COLUMN in_use_by TEXT;
            ALTER TABLE credentials ADD COLUMN removed_reason TEXT;
            CREATE UNIQUE INDEX credentials_graph_identity ON credentials(tenant_id, client_id, key_id) WHERE source = 'graph';
            CREATE INDEX credentials_by_discovery_tenant ON credentials(discovery_tenant, source);
            -- Which resource a token was asked for: a Graph token's failures are discovery's, not the mail path's.
            ALTER TABLE token_attempts ADD COLUMN scope TEXT;
            CREATE TABLE discovery_runs (
                id               INTEGER PRIMARY KEY,
                tenant           TEXT NOT NULL,
                started_at       REAL NOT NULL,
                duration_seconds REAL NOT NULL,
                outcome          TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
                reason           TEXT,
                detail           TEXT,
                applications     INTEGER,
                credentials      INTEGER,
                pages            INTEGER
            );
            CREATE INDEX discovery_runs_by_tenant ON discovery_runs(tenant, id DESC);
            """),
        Migration(version: 6, name: "configured certificate credentials: their SHA-1 thumbprint", sql: """
            -- A certificate credential (configured with client_certificate_file) names the certificate the app
            -- must have registered; its type is 'certificate' and its expiry the certificate's notAfter.
            ALTER TABLE credentials ADD COLUMN thumbprint TEXT;
            """),
        Migration(version: 7, name: "relayed webhook notifications: receiver, claim priority, de-duplication keys", sql: """
            -- Relay mail names the relay receiver it was sent for; so does each of its delivery attempts (kept when
            -- the outbox row is pruned). Mail of priority 0 (alarm, test, reminder) is claimed before priority 1
            -- (relay) when both are due.
            ALTER TABLE outbox ADD COLUMN receiver TEXT;
            ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE deliveries ADD COLUMN receiver TEXT;
            CREATE INDEX outbox_claim ON outbox(state, priority, next_attempt_at, id);
            CREATE INDEX outbox_relay_waiting ON outbox(state, receiver, queued_at) WHERE receiver IS NOT NULL;
            -- One row per relayed notification within the de-duplication window: a resend with the same key is
            -- answered "duplicate" and mails nothing.
            CREATE TABLE relay_notifications (
                dedup_key   TEXT PRIMARY KEY,
                receiver    TEXT NOT NULL,
                message_id  TEXT NOT NULL,
                outbox_id   INTEGER NOT NULL,
                received_at REAL NOT NULL
            );
            CREATE INDEX relay_notifications_by_time ON relay_notifications(received_at);
            """),
        Migration(version: 8, name: "relayed mail by the time it was queued (the daily recipient cap)", sql: """
            CREATE INDEX outbox_relay_queued ON outbox(queued_at) WHERE receiver IS NOT NULL;
            """),
    ]
}
