import Foundation
import SecretWatchCrypto
import SecretWatchStandIns
import Testing
@testable import SecretWatchCore

/// App certificates minted by the throwaway PKI beside a token stand-in, and the token settings of a certificate
/// credential that uses one of them.
extension TokenEndpointFixture {
    /// A new self-signed app certificate and key (mode 0600); with `register`, uploaded to the stand-in's app.
    func appCertificate(_ name: String, register: Bool = true, validFor: TimeInterval = 365 * 86_400) throws
        -> (identity: ThrowawayPKI.Identity, certificate: X509Certificate) {
        let identity = try pki.makeAppCertificate(named: name, validFor: validFor)
        let certificate = try X509Certificate(pemFile: identity.certificatePath)
        if register { standIn.assertions.register(certificate) }
        return (identity, certificate)
    }

    func certificateSettings(_ identity: ThrowawayPKI.Identity, algorithm: SignatureAlgorithm = .ps256,
                             credential: String = "smtp") throws -> TokenEndpointSettings {
        var settings = settings(credential: credential)
        settings.authentication = .certificate(try CertificateCredentialConfig.load(
            certificateFile: identity.certificatePath, keyFile: identity.keyPath, algorithm: algorithm))
        return settings
    }
}
