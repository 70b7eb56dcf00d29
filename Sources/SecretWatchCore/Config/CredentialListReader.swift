import FoundationEssentials
internal import SecretWatchYAML

/// Reads the `credentials:` list one item at a time, as the YAML parser hands the items out, so that 100,000
/// credentials never exist as one tree: each item becomes its `WatchedCredentialConfig` (or its problems) and its
/// nodes are dropped before the next is read. Names are checked against each other as they come and against the
/// SMTP credential's name at the end (`finish`), when `smtp.auth` has been read wherever it is in the file.
final class CredentialListReader {
    private let reader: ConfigReader
    private var credentials: [WatchedCredentialConfig] = []
    /// Each name and the path of the first credential that has it.
    private var firstUse: [String: String] = [:]
    /// The paths of credentials that repeat a name, by name (only names used more than once).
    private var repeats: [String: [String]] = [:]

    init(reader: ConfigReader) {
        self.reader = reader
    }

    /// Reads `credentials[index]`.
    func read(_ node: YAMLNode, index: Int) {
        let problems = reader.problems
        guard let obj = YAMLObject(node, path: "credentials[\(index)]", problems: problems) else { return }
        defer { obj.finish() }
        let name = reader.readName(obj, default: nil)
        let displayName = obj.string("display_name")
        let tenant = reader.readTenant(obj)
        let client = reader.readClientId(obj)
        // Optional: with a secret or a certificate, the credential's token endpoint is probed too.
        let (authentication, certificateGiven) = reader.readAuthentication(obj, required: false)
        let expires = certificateGiven ? reader.readCertificateExpiry(obj, certificate: authentication?.certificate)
                                       : reader.readDate(obj, "secret_expires")
        let (endpoint, scope) = reader.readEndpointAndScope(obj)
        if let name {
            if firstUse[name] == nil {
                firstUse[name] = obj.path
            } else {
                repeats[name, default: []].append(obj.path)
            }
        }
        guard let name, let tenant, let client, let expires else { return }
        credentials.append(WatchedCredentialConfig(name: name, displayName: displayName, tenantId: tenant,
                                                   clientId: client, secretExpires: expires, secret: authentication?.secret,
                                                   tokenEndpoint: endpoint, scope: scope, certificate: authentication?.certificate))
    }

    /// The credentials read; reports every name used twice, each repeat against its first use (the SMTP
    /// credential, `smtpName`, comes before every watched one).
    func finish(smtpName: String?) -> [WatchedCredentialConfig] {
        var names = Set(repeats.keys)
        if let smtpName, firstUse[smtpName] != nil { names.insert(smtpName) }
        for name in names {
            let owner: String
            var paths = repeats[name] ?? []
            if name == smtpName, let first = firstUse[name] {
                owner = "smtp.auth"
                paths.insert(first, at: 0)
            } else {
                owner = firstUse[name] ?? "?"
            }
            for path in paths {
                reader.problems.error(YAMLObject.join(path, "name"), "\"\(name)\" is already used by \(owner)")
            }
        }
        return credentials
    }
}
