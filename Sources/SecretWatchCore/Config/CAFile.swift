import FoundationEssentials

/// The structural check of a `ca_file` when the configuration is loaded: a regular file holding at least one PEM
/// certificate block (`-----BEGIN CERTIFICATE-----`; also `TRUSTED CERTIFICATE` and `X509 CERTIFICATE`, which
/// OpenSSL reads as well), each block's base64 decoding to one DER SEQUENCE whose length fits the block exactly.
/// Other blocks (CRLs, keys) and text between blocks are ignored, as OpenSSL ignores them. The certificate's
/// contents (expiry, signature, CA flag) are not judged here: libcurl does that at connect time.
enum CAFile {
    /// A CA bundle larger than this is not one (the system bundle is about 220 KiB).
    static let limit = 16 << 20

    static let certificateLabels: Set<String> = ["CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE"]

    /// What is wrong with the file at `path`, or nil when it holds at least one well-formed certificate.
    static func problem(_ path: String) -> String? {
        let data: Data
        do {
            data = try RegularFile.read(path, limit: limit)
        } catch {
            return error.description
        }
        return problem(in: String(decoding: data, as: UTF8.self), path: path)
    }

    static func problem(in text: String, path: String) -> String? {
        var certificates = 0
        var open: (label: String, line: Int, base64: String)?
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let line = raw.trimmingSpaces
            if let current = open {
                guard line.hasPrefix("-----END ") else {
                    open?.base64 += line
                    continue
                }
                open = nil
                guard line == "-----END \(current.label)-----" else {
                    return "\"\(path)\": the block at line \(current.line) ends with \"\(line.prefix(60))\" instead of \"-----END \(current.label)-----\""
                }
                guard certificateLabels.contains(current.label) else { continue }
                guard let der = Data(base64Encoded: current.base64), isDERSequence(der) else {
                    return "\"\(path)\": the certificate at line \(current.line) is damaged (its base64 does not decode to one DER certificate)"
                }
                certificates += 1
            } else if line.hasPrefix("-----BEGIN "), line.hasSuffix("-----"), line.count > 16 {
                let label = String(line.dropFirst("-----BEGIN ".count).dropLast(5))
                open = (label, index + 1, "")
            }
        }
        if let open, certificateLabels.contains(open.label) {
            return "\"\(path)\": the certificate at line \(open.line) has no \"-----END \(open.label)-----\" line"
        }
        guard certificates > 0 else {
            return "\"\(path)\" holds no certificate (expected a PEM CA bundle: \"-----BEGIN CERTIFICATE-----\" blocks)"
        }
        return nil
    }

    /// One DER SEQUENCE (tag 0x30) whose definite length covers exactly the rest of `der`, starting with the
    /// `tbsCertificate` SEQUENCE.
    static func isDERSequence(_ der: Data) -> Bool {
        let bytes = [UInt8](der)
        guard bytes.count >= 4, bytes[0] == 0x30 else { return false }
        var header = 2
        var length = Int(bytes[1])
        if bytes[1] & 0x80 != 0 {
            let count = Int(bytes[1] & 0x7F)
            guard (1...4).contains(count), bytes.count > 2 + count else { return false }
            length = bytes[2..<(2 + count)].reduce(0) { $0 << 8 | Int($1) }
            header = 2 + count
        }
        return header + length == bytes.count && bytes[header] == 0x30
    }
}
