import FoundationEssentials
internal import SecretWatchCrypto

/// One certificate secretwatch depends on to reach an endpoint: presented by a server (or by a TLS-inspecting
/// proxy in its place) in the chain of a connection, or read from a configured `ca_file`.
public struct EndpointCertificate: Sendable, Equatable {
    /// `host:port` of a server (`login.microsoftonline.com:443`, `smtp.office365.com:587`), or `ca_file:<path>`.
    public var endpoint: String
    /// `leaf`, `intermediate_1`, `intermediate_2`, … in the order the server sent them (`root` for a
    /// self-signed certificate it sent too); `ca_1`, `ca_2`, … in the order of a `ca_file`.
    public var position: String
    public var subject: String
    public var issuer: String
    public var notAfter: Date

    public init(endpoint: String, position: String, subject: String, issuer: String, notAfter: Date) {
        self.endpoint = endpoint
        self.position = position
        self.subject = subject
        self.issuer = issuer
        self.notAfter = notAfter
    }

    /// The endpoint name of a `ca_file`.
    public static func caFileEndpoint(_ path: String) -> String { "ca_file:\(path)" }

    public var isCAFile: Bool { endpoint.hasPrefix("ca_file:") }

    /// At most this many certificates of one presented chain are kept (a server sends two or three): the metric's
    /// `position` label stays bounded whatever a server sends.
    static let maxChainLength = 8

    /// The chain a server presented, leaf first, from the PEM text libcurl reported. A certificate that does not
    /// parse is left out (libcurl handed over what OpenSSL had already verified, so that does not happen in practice).
    static func chain(endpoint: String, pems: [String]) -> [EndpointCertificate] {
        var chain: [EndpointCertificate] = []
        for pem in pems.prefix(maxChainLength) {
            guard let certificate = try? X509Certificate(pem: Data(pem.utf8), source: "the chain of \(endpoint)") else { continue }
            let position: String
            if chain.isEmpty {
                position = "leaf"
            } else if certificate.subject == certificate.issuer {
                position = "root"
            } else {
                position = "intermediate_\(chain.count)"
            }
            chain.append(EndpointCertificate(endpoint: endpoint, position: position, subject: certificate.subject,
                                             issuer: certificate.issuer, notAfter: certificate.notAfter))
        }
        return chain
    }

    /// Every certificate of a PEM bundle (`smtp.ca_file`, `token.ca_file`).
    static func caFile(_ path: String) throws -> [EndpointCertificate] {
        let endpoint = caFileEndpoint(path)
        return try X509Certificate.all(inPEMFile: path).enumerated().map { index, certificate in
            EndpointCertificate(endpoint: endpoint, position: "ca_\(index + 1)", subject: certificate.subject,
                                issuer: certificate.issuer, notAfter: certificate.notAfter)
        }
    }

    /// `host:port` of a URL, with the scheme's default port (`https` 443, `smtp` 25, `smtps` 465).
    static func endpoint(ofURL text: String) -> String? {
        guard let url = URL(string: text), let host = url.host, !host.isEmpty else { return nil }
        let defaults = ["https": 443, "http": 80, "smtp": 25, "smtps": 465]
        guard let port = url.port ?? url.scheme.flatMap({ defaults[$0.lowercased()] }) else { return nil }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
