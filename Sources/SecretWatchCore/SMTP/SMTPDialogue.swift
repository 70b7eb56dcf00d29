import FoundationEssentials

/// One SMTP reply line such as `535 5.7.3 Authentication unsuccessful`, split into its parts.
public struct SMTPReply: Sendable, Equatable {
    public var code: Int
    /// RFC 3463 enhanced status code (`5.7.3`), when the line has one.
    public var enhancedCode: String?
    /// The whole line, as received.
    public var line: String
    /// `250-…` (more lines follow) rather than `250 …`.
    public var continues: Bool

    public init?(_ line: String) {
        let chars = Array(line.utf8)
        guard chars.count >= 3, chars[0...2].allSatisfy({ (0x30...0x39).contains($0) }),
              let code = Int(String(decoding: chars[0...2], as: UTF8.self)) else { return nil }
        self.code = code
        self.line = line
        continues = chars.count > 3 && chars[3] == UInt8(ascii: "-")
        let rest = line.dropFirst(4)
        let first = rest.prefix(while: { !$0.isWhitespace })
        let parts = first.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }),
           ["2", "4", "5"].contains(String(parts[0])) {
            enhancedCode = String(first)
        } else {
            enhancedCode = nil
        }
    }

    public var isPositive: Bool { code < 400 }
}

public import SecretWatchCurl

/// The SMTP dialogue of one transfer, rebuilt from libcurl's trace: each command sent with the replies it got,
/// so that a refusal can be placed (at MAIL FROM, at RCPT TO, after DATA) and each recipient's fate read.
public struct SMTPExchange: Sendable, Equatable {
    public struct Step: Sendable, Equatable {
        /// The command verb (`EHLO`, `STARTTLS`, `AUTH`, `MAIL`, `RCPT`, `DATA`, `QUIT`), `GREETING` for the
        /// server's first words, `END-OF-DATA` for the verdict on the message.
        public var verb: String
        /// The argument (a recipient address for RCPT); never an AUTH blob.
        public var argument: String
        public var replies: [SMTPReply]
        /// When the command was sent and when its last reply line arrived (seconds since the transfer started).
        public var sentAt: Double
        public var answeredAt: Double?

        public var finalReply: SMTPReply? { replies.last }
    }

    public var steps: [Step]

    public init(trace: [CurlResponse.TraceLine]) {
        var steps: [Step] = []
        for line in trace {
            switch line.kind {
            case .info:
                continue
            case .sent:
                let text = line.text
                let verb = String(text.prefix(while: { $0 != " " && $0 != ":" })).uppercased()
                var argument = ""
                if verb == "RCPT" || verb == "MAIL", let open = text.firstIndex(of: "<"), let close = text[open...].firstIndex(of: ">") {
                    argument = String(text[text.index(after: open)..<close])
                } else if verb == "EHLO" || verb == "HELO" {
                    argument = String(text.dropFirst(5))
                }
                // SASL continuation lines (masked) belong to the AUTH step.
                if text == Redactor.mask || text.isEmpty, steps.last?.verb == "AUTH" { continue }
                steps.append(Step(verb: verb, argument: argument, replies: [], sentAt: line.at))
            case .received:
                guard let reply = SMTPReply(line.text) else { continue }
                if steps.isEmpty || Self.isAnswered(steps[steps.count - 1]) {
                    // A reply nobody asked for: the greeting, or the verdict after the message body.
                    let verb = steps.isEmpty ? "GREETING" : (steps.last?.verb == "DATA" ? "END-OF-DATA" : "UNSOLICITED")
                    steps.append(Step(verb: verb, argument: "", replies: [], sentAt: line.at))
                }
                steps[steps.count - 1].replies.append(reply)
                steps[steps.count - 1].answeredAt = line.at
            }
        }
        self.steps = steps
    }

    /// A step is answered when its last reply line is final (no `-`), and it is not a SASL challenge.
    private static func isAnswered(_ step: Step) -> Bool {
        guard let last = step.replies.last, !last.continues else { return false }
        return !(step.verb == "AUTH" && last.code == 334)
    }

    /// The first negative final reply and the step it answered.
    public var firstFailure: Step? {
        steps.first { step in
            guard let reply = step.finalReply else { return false }
            return reply.code >= 400 && step.verb != "RCPT" && step.verb != "QUIT"
        }
    }

    public var recipientSteps: [Step] { steps.filter { $0.verb == "RCPT" } }

    public func step(_ verb: String) -> Step? { steps.last { $0.verb == verb } }
}

/// The error challenge of an XOAUTH2 (RFC 7628 style) server that refuses a bearer token: `334 <base64 JSON>` such
/// as `{"status":"401","schemes":"bearer","scope":"mail"}`, sent before the server's final 535. Exchange answers a
/// bad token with 535 at once; Dovecot, Google and others send this first.
struct XOAUTH2Challenge: Sendable, Equatable, CustomStringConvertible {
    var status: String?
    var schemes: String?
    var scope: String?
    /// The decoded challenge when it is not the JSON object above (scrubbed and shortened when shown).
    var text: String?

    /// Nil for anything but a 334 with a non-empty base64 challenge (the empty `334 ` of a two-step AUTH).
    init?(_ reply: SMTPReply) {
        guard reply.code == 334 else { return nil }
        let encoded = reply.line.dropFirst(4).trimmingSpaces
        guard !encoded.isEmpty, encoded.utf8.count <= 8192, let data = Data(base64Encoded: encoded), !data.isEmpty else { return nil }
        if let object = JSONValue.parse(data)?.object {
            func field(_ name: String) -> String? {
                guard let value = object[name] else { return nil }
                return value.text.prefix(200).filter { !$0.isNewline && $0.isASCII }
            }
            status = field("status")
            schemes = field("schemes")
            scope = field("scope")
            if status == nil && schemes == nil && scope == nil { text = String(decoding: data.prefix(200), as: UTF8.self) }
        } else {
            text = String(decoding: data.prefix(200), as: UTF8.self)
        }
    }

    var description: String {
        if let text { return "the server refused the token: \(Redactor.scrub(text.filter { !$0.isNewline }))" }
        let parts = [status.map { "status \($0)" }, schemes.map { "schemes \($0)" }, scope.map { "scope \($0)" }].compactMap { $0 }
        return "the server refused the token (\(parts.joined(separator: ", ")))"
    }
}
