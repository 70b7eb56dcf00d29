import Foundation

/// A credential as stored: its database id and whether the configuration still lists it.
public struct CredentialRecord: Sendable, Equatable {
    public var id: Int64
    public var credential: Credential
    public var watched: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public var name: String { credential.name }
}
