/// A classified failure that can say what the operator reads (`TokenFailure`, the mailer's failures).
/// `ConnectionTest` shows any such error as its stage's reason, message and fix.
public protocol OperatorErrorConvertible: Error {
    var operatorError: OperatorError { get }
}

extension OperatorError: OperatorErrorConvertible {
    public var operatorError: OperatorError { self }
}

extension TokenFailure: OperatorErrorConvertible {}
