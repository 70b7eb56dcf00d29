import FoundationEssentials
internal import SecretWatchCrypto

extension EntraTokenClient {
    /// The request body: the client secret read from its file or variable, or a client assertion signed with the
    /// certificate's key, read from its file now (never kept, never logged). `now` is the assertion's `nbf`.
    static func credentialForm(settings: TokenEndpointSettings, environment: [String: String],
                               now: Date) -> Result<String, TokenFailure> {
        switch settings.authentication {
        case .secret(let source):
            let secret: String
            do {
                secret = try SecretReader.read(source, environment: environment)
            } catch {
                return .failure(TokenFailure(reason: .secretUnreadable, values: TokenFailureClassifier.baseValues(settings),
                                             detail: "\(error)"))
            }
            return .success(TokenFormBody.clientCredentials(clientId: settings.clientId, secret: secret, scope: settings.scope))
        case .certificate(let certificate):
            let assertion: String
            do {
                let x509 = try X509Certificate(pemFile: certificate.certificateFile)
                let key = try PrivateKey(pemFile: certificate.keyFile)
                assertion = try ClientAssertion.make(clientId: settings.clientId, tokenEndpoint: settings.endpoint,
                                                     certificate: x509, key: key, algorithm: certificate.algorithm, now: now)
            } catch {
                var values = TokenFailureClassifier.baseValues(settings)
                values["crypto"] = error.message
                return .failure(TokenFailure(reason: .certificateUnreadable, values: values, detail: error.description))
            }
            return .success(TokenFormBody.clientAssertion(clientId: settings.clientId, assertion: assertion, scope: settings.scope))
        }
    }
}

extension TokenFormBody {
    /// The body for a certificate credential: `client_assertion_type` and the signed `client_assertion` instead of
    /// `client_secret`. The assertion is registered with the `Redactor` while in use: until it expires it is a
    /// bearer credential for this app.
    static func clientAssertion(clientId: String, assertion: String, scope: String) -> String {
        Redactor.shared.registerEphemeral(assertion)
        return [("grant_type", "client_credentials"), ("client_id", escape(clientId)),
                ("client_assertion_type", escape(ClientAssertion.type)), ("client_assertion", escape(assertion)),
                ("scope", escape(scope))]
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }
}
