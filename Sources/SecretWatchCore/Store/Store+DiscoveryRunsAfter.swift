import FoundationEssentials
internal import SecretWatchSQLite

extension Store {
    /// The discovery runs stored after run `id` (every run when nil), oldest first, at most `limit`: a reader that
    /// remembers the last id it saw (the metrics) follows new runs without reading the whole history again.
    public func discoveryRuns(after id: Int64?, limit: Int = 10_000) throws -> [DiscoveryRun] {
        try read { tx in try tx.discoveryRuns(after: id, limit: limit) }
    }
}

extension StoreTransaction {
    func discoveryRuns(after id: Int64?, limit: Int) throws -> [DiscoveryRun] {
        try query("SELECT * FROM discovery_runs WHERE id > ? ORDER BY id LIMIT ?", [id ?? 0, limit]).map(Self.discoveryRun)
    }
}
