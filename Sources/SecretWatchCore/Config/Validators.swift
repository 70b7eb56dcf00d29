import FoundationEssentials

/// Checks for the value shapes the configuration uses. Each returns nil when the value is fine, or the
/// message explaining what is wrong.
enum Validators {
    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, hex digits of either case (byte-wise: it runs twice per credential).
    static func guid(_ value: String) -> Bool {
        let bytes = value.utf8
        guard bytes.count == 36 else { return false }
        for (offset, byte) in bytes.enumerated() {
            if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
                        || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte) else { return false }
            }
        }
        return true
    }

    static func domainName(_ value: String) -> Bool {
        let labels = value.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, value.count <= 253 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }
        }
    }

    /// A plain `local@domain` address (no display name, no angle brackets, no spaces or control characters).
    static func emailAddress(_ value: String) -> Bool {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let allowedLocal = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-".unicodeScalars)
        guard parts[0].unicodeScalars.allSatisfy({ allowedLocal.contains($0) }),
              !parts[0].hasPrefix("."), !parts[0].hasSuffix("."), !parts[0].contains("..") else { return false }
        return domainName(String(parts[1]))
    }

    /// `host:port` with an IPv4 address, a host name, or `[ipv6]`.
    static func listenAddress(_ value: String) -> (host: String, port: Int)? {
        let host: Substring
        let portText: Substring
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]"), value[value.index(after: close)...].hasPrefix(":") else { return nil }
            host = value[value.index(after: value.startIndex)..<close]
            portText = value[value.index(close, offsetBy: 2)...]
        } else {
            guard let colon = value.lastIndex(of: ":") else { return nil }
            host = value[..<colon]
            portText = value[value.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (0...65535).contains(port) else { return nil }
        return (String(host), port)
    }

    static func httpsURL(_ value: String) -> Bool {
        guard let url = URL(string: value.replacingEvery("{tenant}", with: "tenant")),
              let scheme = url.scheme?.lowercased(), scheme == "https", url.host != nil else { return false }
        return true
    }

    static func proxyURL(_ value: String) -> Bool {
        guard let url = URL(string: value), let scheme = url.scheme?.lowercased(),
              ["http", "https", "socks5", "socks5h", "socks4", "socks4a"].contains(scheme), url.host != nil else { return false }
        return true
    }

    /// A metric-label-friendly credential name.
    static func credentialName(_ value: String) -> Bool {
        guard let first = value.first, first.isASCII, first.isLetter || first.isNumber, value.count <= 64 else { return false }
        return value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }
}
