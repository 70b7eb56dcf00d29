import Foundation

/// Reads the optional `token:` section, reporting problems under their field paths like every other section.
struct TokenConfigReader {
    let problems: ProblemList
    let absolute: (String) -> String
    let checkFiles: Bool

    func read(_ obj: YAMLObject?) -> TokenConfig {
        var config = TokenConfig()
        guard let obj else { return config }
        defer { obj.finish() }
        config.connectTimeout = obj.duration("connect_timeout") ?? TokenConfig.defaultConnectTimeout
        config.timeout = obj.duration("timeout") ?? TokenConfig.defaultTimeout
        if config.timeout < config.connectTimeout {
            problems.error(obj.fieldPath("timeout"), "must be at least token.connect_timeout (\(DurationText.format(config.connectTimeout))), got \(DurationText.format(config.timeout))")
        }
        if let file = obj.string("ca_file") {
            let path = absolute(file)
            config.caFile = path
            if checkFiles, let problem = CAFile.problem(path) {
                problems.error(obj.fieldPath("ca_file"), problem)
            }
        }
        if let proxy = obj.string("proxy") {
            if proxy == "direct" || Validators.proxyURL(proxy) {
                config.proxy = proxy
            } else {
                problems.error(obj.fieldPath("proxy"), "\"\(Redactor.scrubURLCredentials(proxy))\" is not a proxy URL (expected http://host:port, https://…, socks5://…, or direct)")
            }
        }
        config.noProxy = obj.string("no_proxy")
        return config
    }
}
