import FoundationEssentials
internal import SecretWatchYAML

/// The `relay:` section: the webhook receivers, their recipients and tokens, the body bound and the de-duplication
/// window (docs/configuration.md, "relay").
extension ConfigReader {
    func readRelay(_ obj: YAMLObject?) -> RelayConfig? {
        guard let obj else { return nil }
        defer { obj.finish() }
        let shared = readRelayToken(obj)
        let sharedGiven = obj.has("token_file") || obj.has("token_credential")
        let maxBody = obj.int("max_body_bytes") ?? ConfigDefaults.relayMaxBodyBytes
        let window = obj.duration("dedup_window") ?? ConfigDefaults.relayDedupWindow
        let perDay = obj.int("max_recipients_per_day") ?? ConfigDefaults.relayMaxRecipientsPerDay
        let field = obj.fieldPath("receivers")
        guard let list = obj.list("receivers") else {
            if obj.node("receivers") == nil { obj.missing("receivers") }
            return nil
        }
        guard !list.isEmpty else {
            problems.error(field, "needs at least one receiver")
            return nil
        }
        guard list.count <= ConfigBounds.maxRelayReceivers else {
            problems.error(field, "lists \(list.count) receivers; at most \(ConfigBounds.maxRelayReceivers) are allowed")
            return nil
        }
        var names: [String: String] = [:]
        var receivers: [RelayReceiverConfig] = []
        var valid = true
        for (index, node) in list.enumerated() {
            guard let entry = YAMLObject(node, path: "\(field)[\(index)]", problems: problems),
                  let receiver = readRelayReceiver(entry, sharedGiven: sharedGiven) else {
                valid = false
                continue
            }
            if let other = names[receiver.name] {
                problems.error(entry.fieldPath("name"), "\"\(receiver.name)\" is already used by \(other)")
                valid = false
                continue
            }
            names[receiver.name] = entry.path
            receivers.append(receiver)
        }
        guard valid else { return nil }
        return RelayConfig(token: shared, maxBodyBytes: maxBody, dedupWindow: window, maxRecipientsPerDay: perDay,
                           receivers: receivers)
    }

    private func readRelayReceiver(_ obj: YAMLObject, sharedGiven: Bool) -> RelayReceiverConfig? {
        defer { obj.finish() }
        var name: String?
        if let text = obj.string("name", required: true) {
            if RelayReceiverConfig.validName(text) {
                name = text
            } else {
                problems.error(obj.fieldPath("name"), "\"\(text)\" is not a receiver name (1 to 64 of A-Z, a-z, 0-9, '_', '.' and '-'; it is the {receiver} of /api/v1/relay/{receiver})")
            }
        }
        var to: [String]?
        if let list = obj.list("to") {
            to = readAddressList(list, field: obj.fieldPath("to"), required: true)
        } else if obj.node("to") == nil {
            obj.missing("to")
        }
        let cc = obj.list("cc").map { readAddressList($0, field: obj.fieldPath("cc"), required: false) } ?? []
        let prefix = obj.string("subject_prefix")
        let own = readRelayToken(obj)
        if own == nil && !sharedGiven && !obj.has("token_file") && !obj.has("token_credential") {
            problems.error(obj.path, "a token is required: set token_file (a file with mode 0600) here, or relay.token_file / relay.token_credential for every receiver")
        }
        guard let name, let to, let cc else { return nil }
        return RelayReceiverConfig(name: name, to: to, cc: cc, subjectPrefix: prefix, token: own)
    }

    /// `token_file` or `token_credential` (one of them): readable, at least `RelayTokens.minimumLength` characters.
    private func readRelayToken(_ obj: YAMLObject) -> SecretSource? {
        let file = obj.string("token_file")
        let credential = obj.string("token_credential")
        if file != nil && credential != nil {
            problems.error(obj.path, "set only one of token_file and token_credential")
            return nil
        }
        let source: SecretSource
        let field: String
        if let file {
            source = .file(absolute(file))
            field = obj.fieldPath("token_file")
        } else if let credential {
            guard !credential.contains("/"), credential != ".", credential != "..", credential.utf8.count <= 255 else {
                problems.error(obj.fieldPath("token_credential"), "\"\(credential)\" is not a systemd credential name (the NAME of LoadCredential=NAME:PATH: no '/', not \".\" or \"..\", at most 255 bytes)")
                return nil
            }
            source = .credential(credential)
            field = obj.fieldPath("token_credential")
        } else {
            return nil
        }
        guard checkSecrets else { return source }
        do {
            _ = try RelayTokens.token(from: source, environment: environment)
        } catch {
            problems.error(field, "\(error)")
            return nil
        }
        if case .file(let path) = source, let mode = SecretReader.mode(ofFile: path), mode & 0o077 != 0 {
            problems.warning(field, "\"\(path)\" is readable by group or others (mode \(String(mode, radix: 8).leftPadded(to: 4))); run chmod 600 on it")
        }
        return source
    }

    /// `to` / `cc` of a receiver: at most `ConfigBounds.maxRecipients` addresses, each name@domain; nil when any is bad.
    private func readAddressList(_ list: [YAMLNode], field: String, required: Bool) -> [String]? {
        if list.isEmpty {
            if required { problems.error(field, "needs at least one address") }
            return required ? nil : []
        }
        guard list.count <= ConfigBounds.maxRecipients else {
            problems.error(field, "lists \(list.count) addresses; at most \(ConfigBounds.maxRecipients) are allowed (use a distribution list for more)")
            return nil
        }
        var addresses: [String] = []
        var valid = true
        for (index, node) in list.enumerated() {
            let path = "\(field)[\(index)]"
            guard let text = node.text, !YAMLObject.isNull(node) else {
                problems.error(path, "must be an e-mail address, got \(YAMLObject.describe(node))")
                valid = false
                continue
            }
            guard Validators.emailAddress(text) else {
                problems.error(path, "\"\(VisibleText.escaped(text))\" is not an e-mail address (expected name@domain)")
                valid = false
                continue
            }
            addresses.append(text)
        }
        return valid ? addresses : nil
    }
}
