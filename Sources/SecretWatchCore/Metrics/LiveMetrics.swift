import Foundation
import Synchronization
internal import SecretWatchExposition

/// The part of `/metrics` that changes all the time: the scheduler's gauges (every pass), the store's health,
/// HTTP request counters and the `process_*` values. It is small (a few dozen lines), rendered and compressed at most once per
/// `maxAge` (or at once after a scheduler pass) and reused by every scrape in between, so a scrape costs a lock
/// and a lookup.
final class LiveMetrics: Sendable {
    struct RequestKey: Hashable, Comparable, Sendable {
        var path: String
        var code: Int
        static func < (a: Self, b: Self) -> Bool { (a.path, a.code) < (b.path, b.code) }
    }

    /// The live part, rendered against one `Exposition` (its gzip tail continues that prefix).
    final class Tail: Sendable {
        let generation: UInt64
        let renderedAt: ContinuousClock.Instant
        let plain: ImmutableBytes
        let gzip: ImmutableBytes

        init(generation: UInt64, renderedAt: ContinuousClock.Instant, plain: [UInt8], gzip: [UInt8]) {
            self.generation = generation
            self.renderedAt = renderedAt
            self.plain = ImmutableBytes(plain)
            self.gzip = ImmutableBytes(gzip)
        }
    }

    private let requests = Mutex<[RequestKey: Int]>([:])
    private let scheduler = Mutex(SchedulerGauges())
    private let cache = Mutex<Tail?>(nil)
    private let storeHealth = Mutex<StoreHealth?>(nil)
    /// Relay receiver → when its oldest waiting notification was queued.
    private let relayOldest = Mutex<[String: Date]>([:])
    private let maxAge: Duration
    private let processStats: @Sendable () -> ProcessStats
    private let now: @Sendable () -> Date

    /// `maxAge` zero renders on every scrape (tests); `processStats` and `now` are injectable so a golden file can pin them.
    init(maxAge: Duration = .seconds(1), processStats: @escaping @Sendable () -> ProcessStats = ProcessStats.sample,
         now: @escaping @Sendable () -> Date = { Date() }) {
        self.maxAge = maxAge
        self.processStats = processStats
        self.now = now
    }

    /// The waiting relayed notifications' oldest queue times (`secretwatch_relay_oldest_queued_age_seconds`).
    func relayQueue(_ oldest: [String: Date]) {
        let changed = relayOldest.withLock { current -> Bool in
            guard current != oldest else { return false }
            current = oldest
            return true
        }
        if changed { cache.withLock { $0 = nil } }
    }

    func setSchedulerSteps(_ names: [String]) {
        scheduler.withLock { g in
            for name in names where g.steps[name] == nil { g.steps[name] = false }
        }
        cache.withLock { $0 = nil }
    }

    /// Exports `health` (`secretwatch_store_failing`, `secretwatch_store_failures_total`).
    func watch(_ health: StoreHealth) {
        storeHealth.withLock { $0 = health }
        cache.withLock { $0 = nil }
    }

    func recordPass(startedAt: Date, duration: TimeInterval, failingSteps: [String]) {
        scheduler.withLock { $0.recordPass(startedAt: startedAt, duration: duration, failingSteps: failingSteps) }
        cache.withLock { $0 = nil }
    }

    func countRequest(path: String, code: Int) {
        requests.withLock { $0[RequestKey(path: path, code: code), default: 0] += 1 }
    }

    /// The tail for `exposition`: the cached one when it is fresh and belongs to the same generation.
    func tail(for exposition: Exposition) throws(GzipError) -> Tail {
        let now = ContinuousClock.now
        return try cache.withLock { (cached: inout Tail?) throws(GzipError) -> Tail in
            if let tail = cached, tail.generation == exposition.generation, now - tail.renderedAt < maxAge {
                return tail
            }
            let plain = render()
            let gzip = try Gzip.tail(plain, after: exposition.prefixInfo)
            let tail = Tail(generation: exposition.generation, renderedAt: now, plain: plain, gzip: gzip)
            cached = tail
            return tail
        }
    }

    func render() -> [UInt8] {
        var w = ExpositionWriter(capacity: 4096)
        let c = MetricCatalog.self
        scheduler.withLock { $0 }.render(into: &w)
        let health = storeHealth.withLock { $0 }?.status
        w.family(c.storeFailing)
        if let health { w.sample(c.storeFailing, [], health.persistent ? 1 : 0) }
        w.family(c.storeFailures)
        if let health {
            for reason in StoreFailureReason.allCases {
                w.sample(c.storeFailures, [reason.rawValue], Double(health.failures[reason] ?? 0))
            }
        }
        w.family(c.relayOldestAge)
        let at = now()
        for (receiver, oldest) in relayOldest.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            w.sample(c.relayOldestAge, [receiver], max(0, at.timeIntervalSince(oldest)))
        }
        w.family(c.httpRequests)
        for (key, count) in requests.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            w.sample(c.httpRequests, [key.path, String(key.code)], Double(count))
        }
        let stats = processStats()
        let process: [(MetricFamily, Double?)] = [
            (c.processCPU, stats.cpuSeconds), (c.processResident, stats.residentBytes),
            (c.processVirtual, stats.virtualBytes), (c.processOpenFDs, stats.openFDs),
            (c.processMaxFDs, stats.maxFDs), (c.processStart, stats.startTime),
        ]
        for (family, value) in process {
            w.family(family)
            if let value { w.sample(family, [], value) }
        }
        return w.bytes
    }
}
