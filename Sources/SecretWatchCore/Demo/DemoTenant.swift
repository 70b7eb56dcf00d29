import FoundationEssentials

/// The Entra tenant the demo's Graph stand-in lists (`secretwatch-standins --graph-applications-file`): fourteen
/// app registrations with secrets and certificates at various distances from expiry, written in Graph's own
/// shape. Of a secret only its `hint` (first three characters) is written, as Graph lists it — never a value.
///
/// What discovery finds in it:
/// - the SMTP app, whose secret in use (the hint of `DemoWorkspace.goodSecret`) expires in Entra after
///   `smtpSecretExpiresInDays`, not the 200 days the configuration says: an `expiry_mismatch` alarm, and the
///   expiry alarm follows Entra's date; and a newer secret created `rotationCreatedDaysAgo` days ago that the demo
///   does not use: a rotation in progress;
/// - the legacy reporting app, none of whose secrets starts like the Secret ID pasted into its file:
///   `secret_not_in_entra`;
/// - the apps of the demo's two certificate credentials (`DemoWorkspace.certificateCredentials`), each listing the
///   certificate the demo minted for it: `customKeyIdentifier` is its SHA-1 thumbprint and the dates are its own,
///   so what discovery reads of them agrees with the certificate files the configuration names;
/// - apps the configuration does not name, of which three credentials are expired or expire within 30 days.
public enum DemoTenant {
    /// The `discovery.tenants[]` name.
    public static let name = "contoso"
    /// Days until the SMTP secret in use expires according to Entra (the configuration says 200).
    public static let smtpSecretExpiresInDays: Double = 21
    /// The SMTP app's newer secret, not deployed: created this many days before the demo starts.
    public static let rotationCreatedDaysAgo: Double = 2

    public struct Secret: Sendable {
        public var displayName: String
        public var hint: String
        public var createdDaysAgo: Double
        public var expiresInDays: Double
    }

    public struct Certificate: Sendable {
        public var displayName: String
        public var createdDaysAgo: Double
        public var expiresInDays: Double
        /// The SHA-1 thumbprint (hex) Graph lists as `customKeyIdentifier`; nil: one made up, unique in the tenant.
        public var thumbprint: String? = nil
        /// A real certificate's own validity (notBefore, notAfter); nil: the days above, counted from `now`.
        public var validity: DateInterval? = nil
    }

    /// A certificate credential's certificate as minted for the demo: what its app lists in Entra.
    public struct AppCertificate: Sendable, Equatable {
        /// The configured credential (`DemoWorkspace.certificateCredentials`) it belongs to.
        public var credential: String
        /// SHA-1 thumbprint, uppercase hex, as Entra shows it.
        public var thumbprint: String
        public var notBefore: Date
        public var notAfter: Date

        public init(credential: String, thumbprint: String, notBefore: Date, notAfter: Date) {
            self.credential = credential
            self.thumbprint = thumbprint
            self.notBefore = notBefore
            self.notAfter = notAfter
        }
    }

    public struct App: Sendable {
        public var displayName: String
        public var appId: String
        public var secrets: [Secret] = []
        public var certificates: [Certificate] = []
    }

    /// The apps, in the order Graph lists them; the certificate credentials' apps with made-up thumbprints.
    public static var applications: [App] { applications(certificates: []) }

    /// The apps, in the order Graph lists them; each certificate credential's app lists `certificates`' one for it
    /// (its thumbprint and dates), or a made-up one of the same validity when none is given.
    public static func applications(certificates: [AppCertificate]) -> [App] {
        let smtpHint = String(DemoWorkspace.goodSecret.prefix(3))
        let legacy = DemoWorkspace.credentials.first { $0.name == "legacy-app" }!.clientId
        return [
            App(displayName: "ISE mail (SMTP)", appId: DemoWorkspace.smtpClientId,
                secrets: [Secret(displayName: "ise-smtp 2026", hint: smtpHint, createdDaysAgo: 344, expiresInDays: smtpSecretExpiresInDays),
                          Secret(displayName: "ise-smtp 2027", hint: "Rn5", createdDaysAgo: rotationCreatedDaysAgo, expiresInDays: 728)]),
            App(displayName: "Legacy reporting app", appId: legacy,
                secrets: [Secret(displayName: "reporting", hint: "Lp2", createdDaysAgo: 245, expiresInDays: 120)]),
            App(displayName: "HR portal", appId: appId(3),
                secrets: [Secret(displayName: "portal login", hint: "H7q", createdDaysAgo: 353, expiresInDays: 12)],
                certificates: [Certificate(displayName: "CN=hr-portal SAML signing", createdDaysAgo: 30, expiresInDays: 335)]),
            App(displayName: "Backup agent", appId: appId(4),
                secrets: [Secret(displayName: "agent 2026", hint: "Bk4", createdDaysAgo: 100, expiresInDays: 265)],
                certificates: [Certificate(displayName: "CN=backup-agent", createdDaysAgo: 371, expiresInDays: -6)]),
            App(displayName: "ISE guest mail", appId: appId(5),
                secrets: [Secret(displayName: "guest mail", hint: "gM3", createdDaysAgo: 90, expiresInDays: 640)]),
            App(displayName: "Intranet SSO", appId: appId(6),
                certificates: [Certificate(displayName: "CN=intranet.contoso.example", createdDaysAgo: 340, expiresInDays: 25)]),
            App(displayName: "Printer scan-to-mail", appId: appId(7),
                secrets: [Secret(displayName: "scanners", hint: "Pr8", createdDaysAgo: 115, expiresInDays: 250)]),
            App(displayName: "Teams meeting bot", appId: appId(8),
                secrets: [Secret(displayName: "bot", hint: "Tb1", createdDaysAgo: 35, expiresInDays: 330)],
                certificates: [Certificate(displayName: "CN=meeting-bot", createdDaysAgo: 35, expiresInDays: 695)]),
            App(displayName: "Grafana Entra login", appId: appId(9),
                secrets: [Secret(displayName: "grafana", hint: "Gf6", createdDaysAgo: 215, expiresInDays: 150)]),
            App(displayName: "Ansible automation", appId: appId(10),
                secrets: [Secret(displayName: "ansible", hint: "An9", createdDaysAgo: 320, expiresInDays: 45)],
                certificates: [Certificate(displayName: "CN=ansible", createdDaysAgo: 10, expiresInDays: 355)]),
            App(displayName: "Wiki SSO", appId: appId(11),
                certificates: [Certificate(displayName: "CN=wiki.contoso.example", createdDaysAgo: 155, expiresInDays: 210)]),
            App(displayName: "VPN RADIUS bridge", appId: appId(12),
                secrets: [Secret(displayName: "radius", hint: "Vr2", createdDaysAgo: 60, expiresInDays: 670)]),
        ] + DemoWorkspace.certificateCredentials.map { c in
            let minted = certificates.first { $0.credential == c.name }
            return App(displayName: c.displayName, appId: c.clientId,
                       certificates: [Certificate(displayName: "CN=\(c.name)", createdDaysAgo: 0,
                                                  expiresInDays: c.validForDays, thumbprint: minted?.thumbprint,
                                                  validity: minted.map { DateInterval(start: $0.notBefore, end: $0.notAfter) })])
        }
    }

    /// Secrets and certificates of every app: what discovery watches.
    public static var credentialCount: Int { applications.reduce(0) { $0 + $1.secrets.count + $1.certificates.count } }

    /// The apps as Graph lists them (`{"value":[…]}`), dates relative to `now` (a minted certificate's: its own).
    public static func graphJSON(now: Date, certificates: [AppCertificate] = []) throws -> Data {
        func date(_ days: Double) -> String { Timestamps.rfc3339(now.addingTimeInterval(days * 86_400)) }
        let value: [JSONValue] = applications(certificates: certificates).enumerated().map { n, app in
            var key = 0
            func keyId() -> String {
                key += 1
                return String(cFormat: "%08x-d3e0-4%03x-8000-%012x", n + 1, key, (n + 1) * 1000 + key)
            }
            return .object([
                "id": .string(String(cFormat: "0b1ec700-0000-4000-8000-%012d", n + 1)), "appId": .string(app.appId),
                "displayName": .string(app.displayName), "tags": .array([]),
                "passwordCredentials": .array(app.secrets.map { s in
                    .object(["keyId": .string(keyId()), "displayName": .string(s.displayName), "hint": .string(s.hint),
                             "startDateTime": .string(date(-s.createdDaysAgo)), "endDateTime": .string(date(s.expiresInDays))])
                }),
                "keyCredentials": .array(app.certificates.map { c in
                    let id = keyId()
                    let thumbprint = c.thumbprint ?? String(String(cFormat: "%08X%032X", n + 1, key).prefix(40))
                    return .object(["keyId": .string(id), "displayName": .string(c.displayName), "type": .string("AsymmetricX509Cert"),
                                    "usage": .string("Verify"), "customKeyIdentifier": .string(thumbprint),
                                    "startDateTime": .string(c.validity.map { Timestamps.rfc3339($0.start) } ?? date(-c.createdDaysAgo)),
                                    "endDateTime": .string(c.validity.map { Timestamps.rfc3339($0.end) } ?? date(c.expiresInDays))])
                }),
            ])
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(JSONValue.object(["value": .array(value)]))
    }

    /// Client ids of the apps the configuration does not name.
    private static func appId(_ n: Int) -> String {
        String(cFormat: "7e1a%04d-5c2b-4d8e-9f3a-%012d", n, n)
    }
}
