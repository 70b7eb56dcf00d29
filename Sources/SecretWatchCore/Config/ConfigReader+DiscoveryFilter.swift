import FoundationEssentials
internal import SecretWatchYAML

/// The filters of a `discovery.tenants[]` entry: app ids (GUIDs), display-name globs and tags, each list at most
/// `ConfigBounds.maxDiscoveryFilterEntries` long. A list that is set must not be empty: an empty include list
/// would keep nothing.
extension ConfigReader {
    /// nil when any list has a problem (each is recorded).
    func readDiscoveryFilter(_ obj: YAMLObject) -> DiscoveryFilter? {
        let before = problems.errors.count
        let includeIds = readFilterList(obj, "include_app_ids", check: appIdProblem).map { Set($0.map { $0.lowercased() }) }
        let excludeIds = readFilterList(obj, "exclude_app_ids", check: appIdProblem).map { Set($0.map { $0.lowercased() }) }
        let includeNames = readFilterList(obj, "include_names").map { $0.map(NameGlob.init) }
        let excludeNames = readFilterList(obj, "exclude_names").map { $0.map(NameGlob.init) }
        let includeTags = readFilterList(obj, "include_tags").map(Set.init)
        let excludeTags = readFilterList(obj, "exclude_tags").map(Set.init)
        guard problems.errors.count == before else { return nil }
        return DiscoveryFilter(includeAppIds: includeIds, excludeAppIds: excludeIds ?? [], includeNames: includeNames,
                               excludeNames: excludeNames ?? [], includeTags: includeTags, excludeTags: excludeTags ?? [])
    }

    private func appIdProblem(_ value: String) -> String? {
        Validators.guid(value) ? nil : "\"\(value)\" is not a GUID (use the Application (client) ID from Entra → App registrations)"
    }

    /// A list of single-line, non-empty texts; `check` judges each one. nil when absent (or not a list).
    private func readFilterList(_ obj: YAMLObject, _ key: String, check: (String) -> String? = { _ in nil }) -> [String]? {
        guard let list = obj.list(key) else { return nil }
        let field = obj.fieldPath(key)
        guard !list.isEmpty else {
            problems.error(field, "must list at least one entry, or be left out")
            return []
        }
        guard list.count <= ConfigBounds.maxDiscoveryFilterEntries else {
            problems.error(field, "lists \(list.count) entries; at most \(ConfigBounds.maxDiscoveryFilterEntries) are allowed")
            return []
        }
        var values: [String] = []
        for (index, node) in list.enumerated() {
            let path = "\(field)[\(index)]"
            guard let scalar = node.text, !YAMLObject.isNull(node) else {
                problems.error(path, "must be a text value, got \(YAMLObject.describe(node))")
                continue
            }
            let text = scalar.trimmingSpaces
            if let problem = YAMLObject.characterProblem(text) ?? (text.isEmpty ? "must not be empty" : check(text)) {
                problems.error(path, problem)
                continue
            }
            values.append(text)
        }
        return values
    }
}
