import FoundationEssentials
import Logging
import ServiceLifecycle

/// Once start-up is over, hands back the pages of code and constants it touched
/// (`MemoryRelease.releaseStartupPages`) and logs how much resident memory that returned, so that idle resident
/// memory is that of what the daemon keeps running. Start-up is the scheduler's first pass (the HTTP port listens
/// by then; the configuration, the database and the first tokens have been dealt with) and the mail that pass
/// queued. The pages are handed back when the first pass is done and, if mail was waiting then, once more when it
/// has left — nothing being sent or due — or, if it cannot leave, `settleLimit` later.
public final class StartupMemoryService: Service, Sendable {
    /// How often the service looks whether start-up is over.
    static let poll: Duration = .milliseconds(100)
    /// How long after the first pass it waits at most for the outbox to settle.
    static let settleLimit: Duration = .seconds(120)

    let scheduler: Scheduler
    let store: Store
    let logger: Logger

    public init(scheduler: Scheduler, store: Store, logger: Logger = Logger(label: "secretwatch")) {
        self.scheduler = scheduler
        self.store = store
        self.logger = logger
    }

    /// Lives until graceful shutdown like every service of the group (one that returns early stops the daemon).
    public func run() async throws {
        guard await scheduler.firstPassDone(poll: Self.poll) else { return }
        release(after: "the first pass")
        if mailIsDue() {
            let firstPass = ContinuousClock.now
            guard await wait(until: { !self.mailIsDue() || ContinuousClock.now - firstPass > Self.settleLimit }) else { return }
            release(after: mailIsDue() ? "waiting \(Self.settleLimit) for the start-up mail" : "the start-up mail")
        }
        try? await gracefulShutdown()
    }

    private func release(after stage: String) {
        MemoryRelease.returnFreedMemory()
        let released = MemoryRelease.releaseStartupPages()
        logger.info("start-up pages released", metadata: [
            "after": "\(stage)",
            "resident_before_mib": "\(Self.mebibytes(released.residentBefore))",
            "resident_after_mib": "\(Self.mebibytes(released.residentAfter))",
        ])
    }

    /// Mail is being sent or is due to be.
    private func mailIsDue() -> Bool {
        (try? store.outboxHasWorkDue(now: scheduler.clock.now())) ?? false
    }

    /// Polls `condition`; false when the daemon is stopping meanwhile.
    private func wait(until condition: () -> Bool) async -> Bool {
        while !condition() {
            guard (try? await Task.sleep(for: Self.poll)) != nil, !Task.isShuttingDownGracefully else { return false }
        }
        return true
    }

    static func mebibytes(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + 524_288) / 1_048_576
        return "\(tenths / 10).\(tenths % 10)"
    }
}
