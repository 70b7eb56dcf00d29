import FoundationEssentials
internal import SecretWatchYAML

/// The credential fields: the SMTP credential (`smtp.auth`), the watched ones (`credentials`), their ids, dates,
/// endpoints and where their secrets live.
extension ConfigReader {
    func readOAuth(_ obj: YAMLObject?) -> OAuthCredentialConfig? {
        guard let obj else { return nil }
        defer { obj.finish() }
        let name = readName(obj, default: ConfigDefaults.credentialName)
        let displayName = obj.string("display_name")
        let mailbox = readEmail(obj, "mailbox", required: true)
        let tenant = readTenant(obj)
        let client = readClientId(obj)
        let (authentication, certificateGiven) = readAuthentication(obj, required: true)
        let expires = certificateGiven ? readCertificateExpiry(obj, certificate: authentication?.certificate)
                                       : readDate(obj, "secret_expires")
        let (endpoint, scope) = readEndpointAndScope(obj)
        guard let mailbox, let tenant, let client, let authentication, let expires else { return nil }
        return OAuthCredentialConfig(name: name ?? ConfigDefaults.credentialName, displayName: displayName,
                                     mailbox: mailbox, tenantId: tenant, clientId: client, authentication: authentication,
                                     secretExpires: expires, tokenEndpoint: endpoint, scope: scope)
    }

    /// `token_endpoint` (https only) and `scope` (ending in `/.default`), with their defaults.
    func readEndpointAndScope(_ obj: YAMLObject, defaultEndpoint: String = ConfigDefaults.tokenEndpoint,
                              defaultScope: String = ConfigDefaults.scope) -> (endpoint: String, scope: String) {
        let configured = obj.string("token_endpoint")
        if let configured, !Validators.httpsURL(configured) {
            problems.error(obj.fieldPath("token_endpoint"), "\"\(configured)\" is not an https:// URL (the token endpoint must use TLS)")
        }
        let endpoint = configured ?? defaultEndpoint
        let scope = obj.string("scope") ?? defaultScope
        if !scope.hasSuffix("/.default") {
            problems.error(obj.fieldPath("scope"), "\"\(scope)\" must end in /.default for the client-credentials grant (e.g. \(defaultScope))")
        }
        return (endpoint, scope)
    }

    func readName(_ obj: YAMLObject, default: String?) -> String? {
        guard let name = obj.string("name", required: `default` == nil) else { return `default` }
        guard Validators.credentialName(name) else {
            problems.error(obj.fieldPath("name"), "\"\(name)\" is not a valid name (letters, digits, '-', '_' and '.', starting with a letter or digit, at most 64 characters)")
            return nil
        }
        return name
    }

    func readTenant(_ obj: YAMLObject) -> String? {
        guard let tenant = obj.string("tenant_id", required: true) else { return nil }
        guard Validators.guid(tenant) || Validators.domainName(tenant) else {
            problems.error(obj.fieldPath("tenant_id"), "\"\(tenant)\" is neither a GUID nor a domain name (use the Directory (tenant) ID from the Entra app's Overview page)")
            return nil
        }
        return tenant.lowercased()
    }

    func readClientId(_ obj: YAMLObject) -> String? {
        guard let client = obj.string("client_id", required: true) else { return nil }
        guard Validators.guid(client) else {
            problems.error(obj.fieldPath("client_id"), "\"\(client)\" is not a GUID (use the Application (client) ID from the Entra app's Overview page, not the secret ID or object ID)")
            return nil
        }
        return client.lowercased()
    }

    func readEmail(_ obj: YAMLObject, _ key: String, required: Bool) -> String? {
        guard let text = obj.string(key, required: required) else { return nil }
        guard Validators.emailAddress(text) else {
            problems.error(obj.fieldPath(key), "\"\(text)\" is not an e-mail address (expected name@domain)")
            return nil
        }
        return text
    }

    func readDate(_ obj: YAMLObject, _ key: String) -> Date? {
        guard let text = obj.string(key, required: true) else { return nil }
        guard let date = Timestamps.parse(text) else {
            if Timestamps.isOutOfRange(text) {
                let range = "\(Timestamps.years.lowerBound)-01-01 to \(Timestamps.years.upperBound)-12-31"
                problems.error(obj.fieldPath(key), "\"\(text)\" is out of range (accepted: \(range))")
                return nil
            }
            problems.error(obj.fieldPath(key), "\"\(text)\" is not a date (expected YYYY-MM-DD or an RFC 3339 time such as 2027-03-01T12:00:00Z)")
            return nil
        }
        return date
    }

    /// The keys that name where a client secret lives; exactly one may be set.
    static let secretSourceKeys = ["client_secret_file", "client_secret_env", "client_secret_credential"]

    func readSecretSource(_ obj: YAMLObject, required: Bool = true) -> SecretSource? {
        if obj.node("client_secret") != nil {
            problems.error(obj.fieldPath("client_secret"), "inline secrets are not allowed; put the secret in a file readable only by secretwatch (client_secret_file, mode 0600), a systemd credential (client_secret_credential) or an environment variable (client_secret_env)")
        }
        let file = obj.string("client_secret_file")
        let env = obj.string("client_secret_env")
        let credential = obj.string("client_secret_credential")
        let given = zip(Self.secretSourceKeys, [file, env, credential]).filter { $0.1 != nil }.map(\.0)
        if given.count > 1 {
            problems.error(obj.path, "set only one of " + given.dropLast().joined(separator: ", ") + " and " + given.last!)
            return nil
        }
        if let file {
            let path = absolute(file)
            return checkSecretFile(path, field: obj.fieldPath("client_secret_file")) ? .file(path) : nil
        }
        if let name = env {
            if checkSecrets {
                guard let value = environment[name], !value.trimmingSpacesAndNewlines.isEmpty else {
                    problems.error(obj.fieldPath("client_secret_env"), "environment variable \"\(name)\" is not set or empty")
                    return nil
                }
                Redactor.shared.register(value)
            }
            return .environment(name)
        }
        if let name = credential {
            return readSecretCredential(obj, name: name)
        }
        if required && obj.node("client_secret") == nil {
            problems.error(obj.path, "a client secret is required: set client_secret_file (a file with mode 0600), client_secret_credential or client_secret_env")
        }
        return nil
    }

    /// `client_secret_credential`: a systemd credential name (no '/', not "." or "..", at most 255 bytes); the
    /// file `$CREDENTIALS_DIRECTORY/NAME` must be readable when secrets are checked.
    func readSecretCredential(_ obj: YAMLObject, name: String) -> SecretSource? {
        let field = obj.fieldPath("client_secret_credential")
        guard !name.isEmpty, !name.contains("/"), name != ".", name != "..", name.utf8.count <= 255 else {
            problems.error(field, "\"\(name)\" is not a systemd credential name (the NAME of LoadCredential=NAME:PATH: no '/', not \".\" or \"..\", at most 255 bytes)")
            return nil
        }
        guard checkSecrets else { return .credential(name) }
        do {
            _ = try SecretReader.read(.credential(name), environment: environment)
        } catch {
            problems.error(field, "\(error)")
            return nil
        }
        return .credential(name)
    }

    /// Checks that a secret file can be read and warns when others can read it too.
    @discardableResult
    func checkSecretFile(_ path: String, field: String) -> Bool {
        guard checkSecrets else { return true }
        do {
            _ = try SecretReader.read(.file(path), environment: environment)
        } catch {
            problems.error(field, "\(error)")
            return false
        }
        if let mode = SecretReader.mode(ofFile: path), mode & 0o077 != 0 {
            problems.warning(field, "\"\(path)\" is readable by group or others (mode \(String(mode, radix: 8).leftPadded(to: 4))); run chmod 600 on it")
        }
        return true
    }
}
