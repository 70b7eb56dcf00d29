import FoundationEssentials

extension AlarmMail {
    /// How to replace a configured certificate credential's certificate (`client_certificate_file`): a new key
    /// and certificate, uploaded to the app, pointed at by the configuration, then the old one deleted.
    static func certificateRotationSteps(_ credential: Credential) -> [String] {
        let app = credential.displayName ?? credential.clientId
        return [
            "1. Make a new key and certificate on the secretwatch host: openssl req -x509 -newkey rsa:2048 -keyout \(credential.name)-key.pem -out \(credential.name)-cert.pem -days 365 -nodes -subj \"/CN=secretwatch\", then chmod 600 \(credential.name)-key.pem.",
            "2. In the Microsoft Entra admin center open App registrations → \(app) (client id \(credential.clientId)) → Certificates & secrets → Certificates → Upload certificate, and upload \(credential.name)-cert.pem. Entra lists its Thumbprint (SHA-1): openssl x509 -in \(credential.name)-cert.pem -noout -fingerprint -sha1 shows the same.",
            "3. Point client_certificate_file and client_key_file of \(credential.name) in the secretwatch configuration at the new files, run secretwatch check, then reload (systemctl reload secretwatch or kill -HUP): the expiry alarms clear.",
            "4. Once token requests succeed with the new certificate (secretwatch status), delete the old certificate" + (credential.thumbprint.map { " (thumbprint \($0))" } ?? "") + " in Entra.",
        ]
    }
}
