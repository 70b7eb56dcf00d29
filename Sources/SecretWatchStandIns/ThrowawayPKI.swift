import Foundation
internal import CSecretWatchStandInTLS

/// A certificate authority made at test (or demo) time: PEM files in a private temporary directory that
/// `remove()` deletes. Nothing here is ever trusted outside the process that made it.
public final class ThrowawayPKI: Sendable {
    /// A CA: its certificate (the file a client trusts) and its key. An intermediate also names the certificate
    /// file of its issuer chain, which the server certificates it issues carry after their own.
    public struct Authority: Sendable, Equatable {
        public let certificatePath: String
        public let keyPath: String
        /// For an intermediate: the certificates a server sends after its leaf (this intermediate's PEM).
        public var chainPath: String? = nil
    }

    /// A server certificate (leaf) and its key, as a TLS server loads them.
    public struct Identity: Sendable, Equatable {
        public let certificatePath: String
        public let keyPath: String
    }

    public let directory: String

    /// Makes a fresh 0700 directory under the system's temporary directory.
    public init() throws {
        var template = Array((NSTemporaryDirectory() + "/secretwatch-pki-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw StandInError.posix("mkdtemp")
        }
        directory = String(cString: made) // mkdtemp returns the NUL-terminated template
    }

    /// Uses `directory` (made 0700 when missing, kept as it is when it exists), e.g. a folder the user named for
    /// the demo. `remove()` would delete it: callers that were given a directory do not call it.
    public init(directory: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw StandInError("\(directory) exists and is not a directory") }
        } else {
            guard mkdir(directory, 0o700) == 0 else { throw StandInError.posix("mkdir \(directory)") }
        }
        self.directory = directory
    }

    /// A self-signed CA named `name` (also the file name stem).
    public func makeAuthority(named name: String) throws -> Authority {
        let authority = Authority(certificatePath: path(name, "crt"), keyPath: path(name, "key"))
        try call("making CA \(name)") { err, len in
            sw_pki_make_ca(authority.certificatePath, authority.keyPath, "\(name) (secretwatch throwaway CA)", err, len)
        }
        return authority
    }

    /// A server certificate for these subject alternative names, signed by `authority`.
    /// `names` are host names or IP addresses: `["localhost", "127.0.0.1"]`; a certificate for other names
    /// makes a host-name mismatch.
    public func issue(named name: String, by authority: Authority, for names: [String]) throws -> Identity {
        let identity = Identity(certificatePath: path(name, "crt"), keyPath: path(name, "key"))
        let sans = names.map { Self.isIPAddress($0) ? "IP:\($0)" : "DNS:\($0)" }.joined(separator: ",")
        try call("issuing certificate \(name)") { err, len in
            sw_pki_make_leaf(authority.certificatePath, authority.keyPath, identity.certificatePath, identity.keyPath,
                             names.first ?? name, sans, err, len)
        }
        return identity
    }

    /// A self-signed app certificate and its RSA key (mode 0600), as uploaded to an Entra app registration
    /// (Certificates & secrets → Certificates) for client assertions. Valid from `validFrom` (seconds from now,
    /// default an hour ago) until `validFor` seconds from now (default a year; negative: already expired).
    public func makeAppCertificate(named name: String, bits: Int = 2048, validFrom: TimeInterval = -3600,
                                   validFor: TimeInterval = 365 * 86_400) throws -> Identity {
        let identity = Identity(certificatePath: path(name, "crt"), keyPath: path(name, "key"))
        try call("making app certificate \(name)") { err, len in
            sw_pki_make_app_cert(identity.certificatePath, identity.keyPath, "\(name) (secretwatch throwaway app certificate)",
                                 Int32(bits), Int(validFrom), Int(validFor), err, len)
        }
        return identity
    }

    /// A certificate valid from `validFrom` to `validUntil` seconds from now, signed by `authority`: a server
    /// certificate for `names` (an expired one: both negative; one expiring in 5 days: `validUntil: 5 * 86400`),
    /// whose file holds the leaf followed by the authority's chain when the authority is an intermediate.
    public func issue(named name: String, by authority: Authority, for names: [String], validFrom: TimeInterval = -3600,
                      validUntil: TimeInterval) throws -> Identity {
        let identity = Identity(certificatePath: path(name, "crt"), keyPath: path(name, "key"))
        let sans = names.map { Self.isIPAddress($0) ? "IP:\($0)" : "DNS:\($0)" }.joined(separator: ",")
        try call("issuing certificate \(name)") { err, len in
            sw_pki_make_cert(authority.certificatePath, authority.keyPath, identity.certificatePath, identity.keyPath,
                             names.first ?? name, sans, 0, Int(validFrom), Int(validUntil), err, len)
        }
        if let chain = authority.chainPath {
            let leaf = try String(contentsOfFile: identity.certificatePath, encoding: .utf8)
            try (leaf + (try String(contentsOfFile: chain, encoding: .utf8))).write(toFile: identity.certificatePath, atomically: true, encoding: .utf8)
        }
        return identity
    }

    /// An intermediate CA named `name`, signed by `authority` and valid until `validUntil` seconds from now: server
    /// certificates it issues are presented with it (leaf, then `intermediate_1`).
    public func makeIntermediate(named name: String, by authority: Authority, validUntil: TimeInterval = 86400) throws -> Authority {
        var intermediate = Authority(certificatePath: path(name, "crt"), keyPath: path(name, "key"))
        try call("making intermediate CA \(name)") { err, len in
            sw_pki_make_cert(authority.certificatePath, authority.keyPath, intermediate.certificatePath, intermediate.keyPath,
                             "\(name) (secretwatch throwaway intermediate CA)", nil, 1, -3600, Int(validUntil), err, len)
        }
        intermediate.chainPath = intermediate.certificatePath
        return intermediate
    }

    /// Deletes the directory and every file in it.
    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Writes any file (a corrupt CA bundle, a config) into the PKI directory; returns its path.
    public func write(_ text: String, to name: String) throws -> String {
        let file = directory + "/" + name
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    private func path(_ name: String, _ ext: String) -> String { "\(directory)/\(name).\(ext)" }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    private func call(_ what: String, _ body: (UnsafeMutablePointer<CChar>, Int) -> Int32) throws {
        var buffer = [CChar](repeating: 0, count: 512)
        let rc = buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
        guard rc == 0 else {
            throw StandInError("\(what): \(StandInError.text(buffer))")
        }
    }
}
