/// Which applications of a tenant discovery keeps (`include_*` / `exclude_*` of a `discovery.tenants[]` entry).
///
/// Every include list that is set must match (an app must be in `include_app_ids` *and* match one of
/// `include_names` *and* carry one of `include_tags`, for those of the three that are set); an app that matches
/// any exclude list is dropped, whatever the includes say. With no list set, every application is kept. App ids
/// are compared lowercased, names (globs, `NameGlob`) and tags without regard to case.
public struct DiscoveryFilter: Sendable, Equatable {
    /// Application (client) IDs, lowercased.
    public var includeAppIds: Set<String>?
    public var excludeAppIds: Set<String>
    public var includeNames: [NameGlob]?
    public var excludeNames: [NameGlob]
    /// Tags, lowercased.
    public var includeTags: Set<String>?
    public var excludeTags: Set<String>

    public init(includeAppIds: Set<String>? = nil, excludeAppIds: Set<String> = [], includeNames: [NameGlob]? = nil,
                excludeNames: [NameGlob] = [], includeTags: Set<String>? = nil, excludeTags: Set<String> = []) {
        self.includeAppIds = includeAppIds.map { Set($0.map { $0.lowercased() }) }
        self.excludeAppIds = Set(excludeAppIds.map { $0.lowercased() })
        self.includeNames = includeNames
        self.excludeNames = excludeNames
        self.includeTags = includeTags.map { Set($0.map { $0.lowercased() }) }
        self.excludeTags = Set(excludeTags.map { $0.lowercased() })
    }

    /// Whether no list is set (every application is kept).
    public var keepsEverything: Bool {
        includeAppIds == nil && includeNames == nil && includeTags == nil
            && excludeAppIds.isEmpty && excludeNames.isEmpty && excludeTags.isEmpty
    }

    /// Whether the application with this app id, display name and tags is kept.
    public func admits(appId: String, displayName: String, tags: [String]) -> Bool {
        let id = appId.lowercased()
        let folded = Set(tags.map { $0.lowercased() })
        if excludeAppIds.contains(id) || excludeNames.contains(where: { $0.matches(displayName) })
            || !excludeTags.isDisjoint(with: folded) {
            return false
        }
        if let includeAppIds, !includeAppIds.contains(id) { return false }
        if let includeNames, !includeNames.contains(where: { $0.matches(displayName) }) { return false }
        if let includeTags, includeTags.isDisjoint(with: folded) { return false }
        return true
    }
}
