import Foundation
import SecretWatchCrypto
import Synchronization

/// Checks client assertions (RFC 7523) as Entra does, for the token stand-in: the compact JWS is parsed, the
/// certificate its header names (`x5t#S256`, else `x5t`) must be registered for the app, the signature must
/// verify with that certificate's key (`RSASignature.verify`), `iss` = `sub` = `client_id`, `aud` = the token
/// endpoint URL the request was sent to, `nbf`/`exp` must enclose now (small skew allowed) and span at most
/// 10 minutes, and a `jti` may be used once within its lifetime. Refusals carry Entra's codes and texts.
public final class ClientAssertionVerifier: Sendable {
    /// Entra tolerates a few minutes of clock difference.
    public static let allowedSkew: TimeInterval = 300
    public static let maximumLifetime: TimeInterval = 600

    private struct State {
        var certificates: [X509Certificate] = []
        /// Used `jti`s and when they stop mattering (their assertion's `exp`).
        var seen: [String: Date] = [:]
    }

    private let state: Mutex<State>
    private let now: @Sendable () -> Date

    /// - Parameter certificates: the certificates registered for the app ("Certificates & secrets").
    public init(certificates: [X509Certificate] = [], now: @escaping @Sendable () -> Date = { Date() }) {
        state = Mutex(State(certificates: certificates))
        self.now = now
    }

    /// Registers one more certificate (an upload in Entra).
    public func register(_ certificate: X509Certificate) { state.withLock { $0.certificates.append(certificate) } }

    public var registered: [X509Certificate] { state.withLock { $0.certificates } }

    /// nil when the assertion is accepted; otherwise the error Entra would answer.
    /// - Parameter audience: the URL the request was sent to (`https://host[:port]/path`).
    public func verify(form: [String: String], audience: String) -> EntraError? {
        guard let assertion = form["client_assertion"], !assertion.isEmpty else { return .missingCredential }
        guard form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" else {
            return .malformedAssertion("client_assertion_type is not urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        }
        let parts = assertion.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let header = Self.object(parts[0]), let claims = Self.object(parts[1]),
              let signature = Base64URL.decode(parts[2]) else {
            return .malformedAssertion("the assertion is not a compact JWS")
        }
        guard let algorithm = (header["alg"] as? String).flatMap(SignatureAlgorithm.init(rawValue:)) else {
            return .malformedAssertion("unsupported alg \(header["alg"] ?? "none")")
        }
        let s256 = (header["x5t#S256"] as? String).flatMap(Base64URL.decode).map([UInt8].init)
        let s1 = (header["x5t"] as? String).flatMap(Base64URL.decode).map([UInt8].init)
        guard s256 != nil || s1 != nil else { return .malformedAssertion("the header names no certificate (x5t#S256 or x5t)") }
        let thumbprint = Self.hex(s1 ?? s256 ?? [])
        let candidates = registered.filter { cert in
            (s256 == nil || cert.sha256Digest == s256!) && (s1 == nil || cert.sha1Digest == s1!)
        }
        guard let certificate = candidates.first else { return .assertionKeyNotFound(thumbprint: thumbprint) }
        let verified = (try? RSASignature.verify(signature: signature, data: Data((parts[0] + "." + parts[1]).utf8),
                                                 algorithm: algorithm, certificate: certificate)) ?? false
        guard verified else { return .assertionSignatureInvalid(thumbprint: thumbprint) }
        let client = form["client_id"] ?? ""
        guard claims["iss"] as? String == client, claims["sub"] as? String == client else { return .assertionIssuerMismatch }
        guard claims["aud"] as? String == audience else { return .assertionAudienceMismatch }
        guard let nbf = (claims["nbf"] as? NSNumber)?.doubleValue, let exp = (claims["exp"] as? NSNumber)?.doubleValue,
              let jti = claims["jti"] as? String, !jti.isEmpty else {
            return .malformedAssertion("nbf, exp and jti are required")
        }
        let now = now(), from = Date(timeIntervalSince1970: nbf), until = Date(timeIntervalSince1970: exp)
        guard from.addingTimeInterval(-Self.allowedSkew) <= now, now < until.addingTimeInterval(Self.allowedSkew),
              until > from, until.timeIntervalSince(from) <= Self.maximumLifetime else {
            return .assertionOutsideValidity(now: now, from: from, until: until)
        }
        return state.withLock { s -> EntraError? in
            s.seen = s.seen.filter { $0.value.addingTimeInterval(Self.allowedSkew) > now }
            if s.seen[jti] != nil { return .assertionReplayed(jti: jti) }
            s.seen[jti] = until
            return nil
        }
    }

    /// A base64url JSON object part of a JWS (header or claims); nil when it is not one.
    public static func object(_ part: String) -> [String: Any]? {
        guard let data = Base64URL.decode(part) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02X", $0) }.joined() }
}

extension EntraError {
    public static let missingCredential = EntraError(status: 401, error: "invalid_client", code: 7000218,
        text: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")

    public static func malformedAssertion(_ why: String) -> EntraError {
        EntraError(status: 400, error: "invalid_request", code: 50027,
                   text: "JWT token is invalid or malformed (\(why)). (secretwatch stand-in)")
    }

    /// The header names a certificate the app does not have.
    public static func assertionKeyNotFound(thumbprint: String) -> EntraError {
        EntraError(status: 401, error: "invalid_client", code: 700027,
                   text: "Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '\(thumbprint)', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{client}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments#app-registration-and-token-service-root-endpoints to find the key ids.]")
    }

    /// The certificate is registered, but its key did not make this signature.
    public static func assertionSignatureInvalid(thumbprint: String) -> EntraError {
        EntraError(status: 401, error: "invalid_client", code: 700027,
                   text: "Client assertion contains an invalid signature. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '\(thumbprint)', Found key 'Start=..., End=...']")
    }

    public static let assertionIssuerMismatch = EntraError(status: 401, error: "invalid_client", code: 700021,
        text: "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .")

    public static let assertionAudienceMismatch = EntraError(status: 401, error: "invalid_client", code: 700023,
        text: "Client assertion audience claim does not match Realm issuer. Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .")

    public static func assertionOutsideValidity(now: Date, from: Date, until: Date) -> EntraError {
        EntraError(status: 401, error: "invalid_client", code: 700024,
                   text: "Client assertion is not within its valid time range. Current time: \(timestamp(now))Z, assertion valid from \(timestamp(from))Z, expiry time of assertion \(timestamp(until))Z. Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .")
    }

    /// The stand-in's own wording (Entra refuses a reused `jti` too).
    public static func assertionReplayed(jti: String) -> EntraError {
        EntraError(status: 401, error: "invalid_client", code: 50012,
                   text: "Client assertion was already used (jti '\(jti)'): each assertion must have a unique jti. (secretwatch stand-in)")
    }
}
