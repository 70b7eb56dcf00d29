import FoundationEssentials
import Logging
import ServiceLifecycle

/// Tells systemd (`Type=notify`) how the daemon is doing: `READY=1` once the HTTP port listens (bound before the
/// services start) and the scheduler's first pass is done, `STOPPING=1` when graceful shutdown begins, and —
/// when the unit sets `WatchdogSec=` — `WATCHDOG=1` every half interval while the scheduler is alive (its last
/// pass started no longer ago than its interval plus `stallAllowance`). Without `$NOTIFY_SOCKET` it does nothing.
public final class SystemdNotifyService: Service, Sendable {
    /// How much longer than its interval a pass may take before the scheduler counts as stuck: the watchdog
    /// then stops and systemd restarts the daemon.
    public static let stallAllowance: TimeInterval = 600
    /// How often the service looks whether the first pass is done.
    static let readyPoll: Duration = .milliseconds(50)

    let notifier: SystemdNotifier
    let scheduler: Scheduler
    let logger: Logger

    public init(notifier: SystemdNotifier = SystemdNotifier(), scheduler: Scheduler,
                logger: Logger = Logger(label: "secretwatch.systemd")) {
        self.notifier = notifier
        self.scheduler = scheduler
        self.logger = logger
    }

    /// Lives until graceful shutdown like every service of the group (one that returns early stops the daemon).
    public func run() async throws {
        await withGracefulShutdownHandler {
            if self.notifier.isEnabled { await self.announce() }
            try? await gracefulShutdown()
        } onGracefulShutdown: {
            self.notifier.notify("STOPPING=1")
        }
    }

    private func announce() async {
        guard await scheduler.firstPassDone(poll: Self.readyPoll) else { return }
        notifier.notify("READY=1\nSTATUS=first pass done; serving HTTP")
        logger.debug("told systemd the daemon is ready")
        guard let interval = notifier.watchdogInterval else { return }
        logger.info("systemd watchdog enabled", metadata: ["interval_seconds": "\(interval)"])
        while !Task.isShuttingDownGracefully {
            if schedulerIsAlive() { notifier.notify("WATCHDOG=1") }
            guard (try? await Task.sleep(for: .seconds(interval / 2))) != nil else { return }
        }
    }

    func schedulerIsAlive() -> Bool {
        guard let started = scheduler.status.snapshot.lastPassStartedAt else { return true }
        return scheduler.clock.now().timeIntervalSince(started) <= scheduler.interval + Self.stallAllowance
    }
}
