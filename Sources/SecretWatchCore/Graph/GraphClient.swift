import FoundationEssentials
internal import SecretWatchCurl

/// Lists a tenant's app registrations (or its service principals) through Microsoft Graph over libcurl, like `EntraTokenClient` reaches the
/// token endpoint: TLS always verified (system trust store, or the CA file), connect and per-page timeouts,
/// optional proxy. Follows every `@odata.nextLink` on the same handle (connections reused), within bounds: pages,
/// bytes per page and in total, and only to the Graph host asked (the bearer token goes nowhere else); a link
/// seen before ends the listing. Every failure is classified (`GraphFailureReason`). The blocking transfers run
/// on `BlockingExecutor`'s threads, never on the cooperative pool.
public struct GraphClient: Sendable {
    public let settings: GraphEndpointSettings
    /// Where the chain Graph presents on a new connection is recorded (nil: not recorded).
    public var certificates: EndpointCertificates?

    public init(settings: GraphEndpointSettings, certificates: EndpointCertificates? = nil) {
        self.settings = settings
        self.certificates = certificates
    }

    /// Every app registration, or the classified failure; `token` must be for `settings.scope`.
    public func listApplications(token: AccessToken, startedAt: Date) async -> GraphListOutcome {
        await list(.applications, token: token, startedAt: startedAt)
    }

    /// Every enterprise app (service principal), or the classified failure; `token` must be for `settings.scope`.
    public func listServicePrincipals(token: AccessToken, startedAt: Date) async -> GraphListOutcome {
        await list(.servicePrincipals, token: token, startedAt: startedAt)
    }

    /// Every entry of `collection`, or the classified failure.
    public func list(_ collection: GraphCollection, token: AccessToken, startedAt: Date) async -> GraphListOutcome {
        let monotonic = ContinuousClock.now
        let (result, pages) = await BlockingExecutor.run { [settings, certificates] in
            Self.perform(settings: settings, collection: collection, bearer: token.value, now: startedAt,
                         certificates: certificates)
        }
        return GraphListOutcome(credential: settings.credential, collection: collection, startedAt: startedAt,
                                duration: (ContinuousClock.now - monotonic).timeInterval, pages: pages, result: result)
    }

    /// The blocking part: page after page until no `@odata.nextLink` is left, or a failure.
    static func perform(settings: GraphEndpointSettings, collection: GraphCollection, bearer: String,
                        now: Date, certificates: EndpointCertificates? = nil) -> (Result<[GraphApplication], GraphFailure>, Int) {
        var url = settings.firstPageURL(of: collection)
        var seen: Set<String> = [url]
        var applications: [GraphApplication] = []
        var pages = 0
        var totalBytes = 0
        let easy: CurlEasy
        do {
            easy = try CurlEasy(secrets: Redactor.shared.curlSecrets)
        } catch {
            return (.failure(setupFailure(error, settings: settings, collection: collection, url: url)), 0)
        }
        while true {
            let response: CurlResponse
            do {
                try easy.reset()
                try easy.set(options(settings, url: url, bearer: bearer))
                if certificates != nil { try easy.set(.certificateInfo) }
                response = easy.perform()
                if let certificates, let endpoint = EndpointCertificate.endpoint(ofURL: url) {
                    certificates.record(endpoint: endpoint, pems: response.presentedCertificates)
                }
            } catch {
                return (.failure(setupFailure(error, settings: settings, collection: collection, url: url)), pages)
            }
            let page: GraphPage
            switch GraphFailureClassifier.classify(response, settings: settings, collection: collection, url: url, now: now) {
            case .success(let p): page = p
            case .failure(let failure): return (.failure(failure), pages)
            }
            pages += 1
            totalBytes += response.body.count
            applications += page.applications
            var values = GraphFailureClassifier.baseValues(settings, collection: collection, url: url)
            values["pages"] = String(pages)
            if totalBytes > settings.maxTotalBytes {
                values["limit"] = String(settings.maxTotalBytes)
                return (.failure(GraphFailure(reason: .responseTooLarge, values: values,
                                              detail: "\(totalBytes) bytes in \(pages) pages", httpStatus: 200)), pages)
            }
            guard let next = page.nextLink else { return (.success(applications), pages) }
            guard let origin = settings.origin, let nextOrigin = GraphEndpointSettings.Origin(next),
                  nextOrigin == origin else {
                values["link_host"] = GraphEndpointSettings.Origin(next).map { "\($0.scheme)://\($0.host):\($0.port)" } ?? "an invalid URL"
                return (.failure(GraphFailure(reason: .nextLinkRejected, values: values,
                                              detail: "@odata.nextLink: \(next.prefix(300))", httpStatus: 200)), pages)
            }
            if pages >= settings.maxPages || seen.contains(next) {
                let why = seen.contains(next) ? "the next link repeats a page already read" : "the page limit is \(settings.maxPages)"
                return (.failure(GraphFailure(reason: .pagingUnbounded, values: values,
                                              detail: "\(why); @odata.nextLink: \(next.prefix(300))", httpStatus: 200)), pages)
            }
            seen.insert(next)
            url = next
        }
    }

    static func options(_ s: GraphEndpointSettings, url: String, bearer: String) -> [CurlOption] {
        var options: [CurlOption] = [
            .url(url), .connectTimeout(s.connectTimeout), .timeout(s.timeout), .tls12OrNewer,
            .maxResponseBytes(s.maxPageBytes), .userAgent(EntraTokenClient.userAgent),
            // An empty proxy turns off libcurl's own reading of the environment: ProxyChoice already did that.
            .proxy(s.proxy.url ?? ""),
            .httpHeaders(["Authorization: Bearer \(bearer)", "Accept: application/json",
                          "client-request-id: \(UUID().uuidString.lowercased())"]),
        ]
        if let noProxy = s.proxy.noProxy { options.append(.noProxy(noProxy)) }
        if let caFile = s.caFile { options.append(.caFile(caFile)) }
        return options
    }

    static func setupFailure(_ error: any Error, settings: GraphEndpointSettings, collection: GraphCollection, url: String) -> GraphFailure {
        var values = GraphFailureClassifier.baseValues(settings, collection: collection, url: url)
        values["curl"] = "\(error)"
        return GraphFailure(reason: .networkError, values: values, detail: "\(error)")
    }
}

/// What one listing produced: the applications (or service principals) or the classified failure, when, how
/// long, how many pages.
public struct GraphListOutcome: Sendable {
    public var credential: String
    public var collection: GraphCollection
    public var startedAt: Date
    public var duration: TimeInterval
    /// Pages read completely.
    public var pages: Int
    public var result: Result<[GraphApplication], GraphFailure>

    public var applications: [GraphApplication]? { try? result.get() }
    public var failure: GraphFailure? {
        if case .failure(let failure) = result { return failure }
        return nil
    }
}
