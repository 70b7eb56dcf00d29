import Foundation

/// A message the Exchange stand-in queued "for delivery" (`250 2.0.0 OK`).
public struct AcceptedMessage: Sendable, Equatable {
    /// 1, 2, 3… in the order the stand-in accepted messages (also the `.eml` file name's prefix).
    public var sequence: Int
    /// The authenticated mailbox (the XOAUTH2 user), lower-cased.
    public var mailbox: String
    public var mailFrom: String
    public var recipients: [String]
    /// The `Message-ID` header without angle brackets; a generated one when the message had none.
    public var messageId: String
    /// Headers and body as received, dot-unstuffed, line ends untouched.
    public var data: Data
    /// The `.eml` file, when a mail directory is configured.
    public var file: String?
}
