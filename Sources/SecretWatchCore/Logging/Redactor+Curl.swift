internal import SecretWatchCurl

extension Redactor {
    /// This redactor as a libcurl handle's secret handling: what the handle is about to send (the XOAUTH2 initial
    /// response and its base64) is registered as an ephemeral secret, and its trace and error text are scrubbed.
    var curlSecrets: any CurlSecretHandling { RedactingCurlSecrets(redactor: self) }
}

/// `Redactor.curlSecrets`.
private struct RedactingCurlSecrets: CurlSecretHandling {
    let redactor: Redactor

    func willSend(_ secret: String) { redactor.registerEphemeral(secret) }
    func scrub(_ text: String) -> String { redactor.scrub(text) }
    var mask: String { Redactor.mask }
}
