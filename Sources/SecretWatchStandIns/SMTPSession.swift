import Foundation

/// One SMTP conversation of the Exchange stand-in, run by the connection's own thread: greeting, EHLO,
/// STARTTLS, AUTH (`SMTPSession+Auth`), the mail transaction (`SMTPSession+Transaction`), RSET, NOOP, QUIT.
/// Commands are read one line at a time, so pipelined commands are answered in order.
final class SMTPSession {
    let connection: StandInConnection
    let configuration: ExchangeStandInConfiguration
    let state: ExchangeStandInState
    let drop: MailDrop
    let tls: TLSServerContext
    let replies: ExchangeReplies
    /// A one-session behaviour taken from the queue when the session started.
    let pinned: ExchangeStandInBehaviour?

    /// EHLO/HELO seen since the connection started or since STARTTLS.
    var greeted = false
    /// The XOAUTH2 user after a successful AUTH, lower-cased.
    var mailbox: String?
    /// Whether this session holds one of its mailbox's concurrent-session slots.
    var holdsSlot = false
    var sender: String?
    var recipients: [String] = []

    init(connection: StandInConnection, configuration: ExchangeStandInConfiguration, state: ExchangeStandInState,
         drop: MailDrop, tls: TLSServerContext) {
        self.connection = connection
        self.configuration = configuration
        self.state = state
        self.drop = drop
        self.tls = tls
        replies = ExchangeReplies(host: configuration.hostName)
        pinned = state.takeQueued()
    }

    var behaviour: ExchangeStandInBehaviour { state.behaviour(pinned: pinned, mailbox: mailbox) }

    /// Runs the conversation until QUIT, the client leaving, or a reply that closes the connection.
    func run() throws {
        state.sessionStarted()
        defer {
            if holdsSlot, let mailbox { state.releaseSlot(mailbox) }
            state.sessionEnded()
        }
        if connection.isTLS && behaviour == .tlsVersion { return try reply(replies.tlsVersion()) }
        try reply(replies.greeting())
        while let line = try connection.readLine() {
            guard try handle(line) else { return }
        }
    }

    /// Answers one command line; false when the connection ends.
    private func handle(_ line: String) throws -> Bool {
        let (verb, argument) = Self.split(line)
        switch verb {
        case "EHLO", "HELO":
            resetTransaction()
            greeted = true
            if verb == "HELO" { try reply("250 \(configuration.hostName) Hello [127.0.0.1]"); return true }
            let secure = connection.isTLS
            let offerStartTLS = !secure && configuration.security == .startTLS
            try reply(replies.ehlo(offerStartTLS: offerStartTLS, offerAuth: secure, maxBytes: configuration.maxMessageBytes))
        case "STARTTLS":
            return try startTLS()
        case "AUTH":
            try authenticate(argument)
        case "MAIL":
            try mail(argument)
        case "RCPT":
            try recipient(argument)
        case "DATA":
            return try data()
        case "RSET":
            resetTransaction()
            try reply(replies.resetting)
        case "NOOP":
            try reply(replies.ok)
        case "QUIT":
            try reply(replies.closing)
            return false
        default:
            try reply(replies.unrecognized(verb))
        }
        return true
    }

    private func startTLS() throws -> Bool {
        guard configuration.security == .startTLS else { try reply(replies.unrecognized("STARTTLS")); return true }
        guard !connection.isTLS else { try reply(replies.alreadyTLS); return true }
        guard !connection.hasBufferedInput else { try reply(replies.pipelinedAfterStartTLS); return false }
        try reply(replies.readyForTLS)
        try connection.startTLS(tls)
        // RFC 3207: the client starts over; nothing learnt in plaintext carries over.
        greeted = false
        resetTransaction()
        if behaviour == .tlsVersion {
            guard try connection.readLine() != nil else { return false }
            try reply(replies.tlsVersion())
            return false
        }
        return true
    }

    func resetTransaction() {
        sender = nil
        recipients = []
    }

    /// Writes reply lines; 4xx and 5xx replies are counted.
    func reply(_ lines: String...) throws { try reply(lines) }

    func reply(_ lines: [String]) throws {
        for line in lines where line.first == "4" || line.first == "5" { state.failureReplied(line) }
        try connection.write(lines.map { $0 + "\r\n" }.joined())
    }

    /// `"MAIL FROM:<a@b>"` → `("MAIL", "FROM:<a@b>")`; the verb upper-cased.
    static func split(_ line: String) -> (String, String) {
        guard let space = line.firstIndex(of: " ") else { return (line.uppercased(), "") }
        return (line[..<space].uppercased(), String(line[line.index(after: space)...]).trimmingCharacters(in: .whitespaces))
    }
}
