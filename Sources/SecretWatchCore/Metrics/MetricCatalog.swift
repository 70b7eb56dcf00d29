internal import SecretWatchExposition

/// Every metric family secretwatch exports, with its help text: the contract the Grafana dashboard, the alert
/// rules and docs/metrics.md rely on. Base units; `_total` counters, `_seconds` durations, `_timestamp_seconds`
/// absolute times. Labels are bounded: credential names and ids from the configuration or Graph, discovery tenant
/// names, credential types and sources, alarm kinds and severities, outcomes, classified reasons, route templates
/// and status codes. Never a message or a secret.
enum MetricCatalog {
    static let buildInfo = MetricFamily(
        "secretwatch_build_info", .gauge, labels: ["version", "revision", "swift"],
        help: "Build information of the running secretwatch (revision: the git commit it was built from, or unknown; swift: the compiler's major.minor); the value is always 1.")
    static let configReloadSuccessful = MetricFamily(
        "secretwatch_config_last_reload_successful", .gauge,
        help: "1 when the last configuration reload (SIGHUP) was accepted or none was asked for since the start, 0 when it was rejected and the previous configuration stays in force.")
    static let configReloadSuccess = MetricFamily(
        "secretwatch_config_last_reload_success_timestamp_seconds", .gauge,
        help: "When the configuration in force was last loaded successfully (at start or by a reload), Unix seconds.")
    static let secretExpiry = MetricFamily(
        "secretwatch_client_secret_expiry_timestamp_seconds", .gauge, labels: ["credential", "tenant_id", "client_id", "type", "source"],
        help: "When the credential expires (type secret or certificate; source config or graph), Unix seconds (days left: (value - time()) / 86400); for a configured secret Entra identified, Entra's date.")
    static let credentialInfo = MetricFamily(
        "secretwatch_credential_info", .gauge,
        labels: ["credential", "display_name", "tenant_id", "client_id", "has_secret", "type", "source", "in_use_by", "thumbprint"],
        help: "One series per watched credential with its identity (in_use_by: the configured credential using a discovered one, else empty; thumbprint: a configured certificate's SHA-1 thumbprint, else empty); the value is always 1.")
    static let configuredExpiry = MetricFamily(
        "secretwatch_credential_configured_expiry_timestamp_seconds", .gauge, labels: ["credential"],
        help: "The secret_expires written in the configuration for a configured credential compared with Entra, Unix seconds.")
    static let entraExpiry = MetricFamily(
        "secretwatch_credential_entra_expiry_timestamp_seconds", .gauge, labels: ["credential"],
        help: "Entra's endDateTime of the secret a configured credential uses (when discovery identified it), Unix seconds.")
    static let secretInUse = MetricFamily(
        "secretwatch_credential_secret_in_use", .gauge, labels: ["credential", "state"],
        help: "What discovery found of the secret a configured credential uses: 1 for the current state (matched, ambiguous, not_in_entra, app_not_found), 0 for the others.")
    static let rotationPending = MetricFamily(
        "secretwatch_credential_rotation_pending", .gauge, labels: ["credential"],
        help: "1 while the app has a secret newer than the one the configured credential uses (rotation not deployed), else 0.")
    static let rotationPendingSince = MetricFamily(
        "secretwatch_credential_rotation_pending_since_timestamp_seconds", .gauge, labels: ["credential"],
        help: "When the newer secret that is not deployed yet was created, Unix seconds (absent when no rotation is pending).")
    static let discoveryUp = MetricFamily(
        "secretwatch_discovery_up", .gauge, labels: ["tenant"],
        help: "1 when the last discovery of the tenant through Microsoft Graph succeeded, 0 when it failed.")
    static let discoveryLastRun = MetricFamily(
        "secretwatch_discovery_last_run_timestamp_seconds", .gauge, labels: ["tenant"],
        help: "When the last discovery of the tenant started, Unix seconds.")
    static let discoveryLastSuccess = MetricFamily(
        "secretwatch_discovery_last_success_timestamp_seconds", .gauge, labels: ["tenant"],
        help: "When the last successful discovery of the tenant started, Unix seconds (absent before the first).")
    static let discoveryLastDuration = MetricFamily(
        "secretwatch_discovery_last_run_duration_seconds", .gauge, labels: ["tenant"],
        help: "How long the last discovery of the tenant took, seconds.")
    static let discoveryApplications = MetricFamily(
        "secretwatch_discovery_applications", .gauge, labels: ["tenant"],
        help: "Applications Graph listed for the tenant in its last successful discovery (before the filters).")
    static let discoveryCredentials = MetricFamily(
        "secretwatch_discovery_credentials", .gauge, labels: ["tenant"],
        help: "Credentials kept from the tenant's last successful discovery (after the filters).")
    static let discoveryRuns = MetricFamily(
        "secretwatch_discovery_runs_total", .counter, labels: ["tenant", "outcome"],
        help: "Discoveries of the tenant since secretwatch started, by outcome (success, failure).")
    static let discoveryFailures = MetricFamily(
        "secretwatch_discovery_failures_total", .counter, labels: ["tenant", "reason"],
        help: "Failed discoveries of the tenant since secretwatch started, by classified reason (a Graph or token reason).")
    static let activeAlarms = MetricFamily(
        "secretwatch_active_alarms", .gauge, labels: ["kind", "severity", "credential"],
        help: "Active alarms by kind, severity and credential (1 per active alarm; absent when none).")
    static let alarmsRaised = MetricFamily(
        "secretwatch_alarms_raised_total", .counter, labels: ["kind"],
        help: "Alarms raised since secretwatch started, by kind.")
    static let tokenRequests = MetricFamily(
        "secretwatch_token_requests_total", .counter, labels: ["credential", "outcome", "reason"],
        help: "Requests to the token endpoint by credential, outcome (success, failure) and classified reason (none on success).")
    static let tokenDuration = MetricFamily(
        "secretwatch_token_request_duration_seconds", .histogram, labels: ["outcome"],
        help: "Duration of token endpoint requests, seconds, by outcome.")
    static let tokenCachedExpiry = MetricFamily(
        "secretwatch_token_cached_expiry_timestamp_seconds", .gauge, labels: ["credential"],
        help: "When the access token last obtained for the credential expires, Unix seconds.")
    static let tokenLastSuccess = MetricFamily(
        "secretwatch_token_last_success_timestamp_seconds", .gauge, labels: ["credential"],
        help: "When a token was last obtained for the credential, Unix seconds.")
    static let mailSends = MetricFamily(
        "secretwatch_mail_sends_total", .counter, labels: ["outcome", "reason"],
        help: "SMTP send attempts by outcome (sent, partial, deferred, failed) and classified reason (none when sent).")
    static let mailDuration = MetricFamily(
        "secretwatch_mail_send_duration_seconds", .histogram, labels: ["outcome"],
        help: "Duration of SMTP send attempts, seconds, by outcome.")
    static let outboxMessages = MetricFamily(
        "secretwatch_outbox_messages", .gauge,
        help: "Messages waiting in the outbox.")
    static let outboxOldest = MetricFamily(
        "secretwatch_outbox_oldest_queued_timestamp_seconds", .gauge,
        help: "When the oldest message still in the outbox was queued, Unix seconds (absent when the outbox is empty).")
    static let relayNotifications = MetricFamily(
        "secretwatch_relay_notifications_total", .counter, labels: ["receiver", "status", "outcome"],
        help: "Webhook notifications relayed to a configured receiver since secretwatch started, by status (firing, resolved; unknown when refused before it was read) and outcome (queued, duplicate, rejected).")
    static let relayOldestAge = MetricFamily(
        "secretwatch_relay_oldest_queued_age_seconds", .gauge, labels: ["receiver"],
        help: "How long the oldest relayed notification of the receiver still in the outbox has waited, seconds (absent when none waits).")
    static let endpointCertificateExpiry = MetricFamily(
        "secretwatch_endpoint_certificate_expiry_timestamp_seconds", .gauge, labels: ["endpoint", "position", "subject"],
        help: "When a certificate secretwatch depends on expires, Unix seconds: the chain an endpoint (host:port) presented on its last new connection (leaf, intermediate_N, root), or a ca_file's certificates (endpoint ca_file:<path>, position ca_N).")
    static let schedulerLastRun = MetricFamily(
        "secretwatch_scheduler_last_run_timestamp_seconds", .gauge,
        help: "When the last scheduler pass started, Unix seconds.")
    static let schedulerLastDuration = MetricFamily(
        "secretwatch_scheduler_last_run_duration_seconds", .gauge,
        help: "How long the last scheduler pass took, seconds.")
    static let schedulerStepFailing = MetricFamily(
        "secretwatch_scheduler_step_failing", .gauge, labels: ["step"],
        help: "1 when the step failed in the last scheduler pass, 0 when it succeeded.")
    static let storeFailing = MetricFamily(
        "secretwatch_store_failing", .gauge,
        help: "1 while the database does not accept writes (store_failing: consecutive storage failures, until a write succeeds), else 0.")
    static let storeFailures = MetricFamily(
        "secretwatch_store_failures_total", .counter, labels: ["reason"],
        help: "Database operations that failed because of the storage, by reason (disk_full, io_error, read_only, cannot_open, corrupt, busy, out_of_memory).")
    static let httpRequests = MetricFamily(
        "secretwatch_http_requests_total", .counter, labels: ["path", "code"],
        help: "HTTP requests answered, by route template and status code.")
    static let processCPU = MetricFamily(
        "process_cpu_seconds_total", .counter,
        help: "Total user and system CPU time spent in seconds.")
    static let processResident = MetricFamily(
        "process_resident_memory_bytes", .gauge,
        help: "Resident memory size in bytes.")
    static let processVirtual = MetricFamily(
        "process_virtual_memory_bytes", .gauge,
        help: "Virtual memory size in bytes.")
    static let processOpenFDs = MetricFamily(
        "process_open_fds", .gauge,
        help: "Number of open file descriptors.")
    static let processMaxFDs = MetricFamily(
        "process_max_fds", .gauge,
        help: "Maximum number of open file descriptors.")
    static let processStart = MetricFamily(
        "process_start_time_seconds", .gauge,
        help: "Start time of the process since unix epoch in seconds.")

    /// The families of the state part of the exposition, in output order.
    static let stateFamilies: [MetricFamily] = [
        buildInfo, configReloadSuccessful, configReloadSuccess, credentialInfo, secretExpiry, configuredExpiry, entraExpiry, secretInUse, rotationPending, rotationPendingSince,
        discoveryUp, discoveryLastRun, discoveryLastSuccess, discoveryLastDuration, discoveryApplications, discoveryCredentials,
        discoveryRuns, discoveryFailures, activeAlarms, alarmsRaised, tokenRequests, tokenDuration, tokenCachedExpiry,
        tokenLastSuccess, mailSends, mailDuration, outboxMessages, outboxOldest, relayNotifications, endpointCertificateExpiry, schedulerLastRun,
        schedulerLastDuration, schedulerStepFailing,
    ]
    /// The families of the per-second part (process and HTTP), in output order.
    static let liveFamilies: [MetricFamily] = [
        storeFailing, storeFailures, relayOldestAge, httpRequests, processCPU, processResident, processVirtual, processOpenFDs, processMaxFDs, processStart,
    ]
    static let all: [MetricFamily] = stateFamilies + liveFamilies

    /// Every sample name a query may use (`_bucket`/`_sum`/`_count` included).
    static var sampleNames: Set<String> { Set(all.flatMap(\.sampleNames)) }

    /// Histogram buckets, seconds.
    static let tokenDurationBuckets: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
    static let mailDurationBuckets: [Double] = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
}
