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
