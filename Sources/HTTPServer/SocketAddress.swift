import FoundationEssentials
import Glibc

/// A numeric listen address resolved with getaddrinfo (IPv4 or IPv6), in storage libmicrohttpd can bind.
struct SocketAddress {
    private var storage = sockaddr_storage()
    let isIPv6: Bool
    let host: String

    static func resolve(host: String, port: Int) throws -> SocketAddress {
        guard (0...65535).contains(port) else { throw HTTPServerError.badAddress(host, "port \(port) is out of range") }
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw HTTPServerError.badAddress(host, String(cString: gai_strerror(rc)) + " (getaddrinfo \(rc))")
        }
        defer { freeaddrinfo(list) }
        var address = SocketAddress(isIPv6: first.pointee.ai_family == AF_INET6, host: host)
        withUnsafeMutableBytes(of: &address.storage) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(first.pointee.ai_addrlen)))
        }
        return address
    }

    private init(isIPv6: Bool, host: String) {
        self.isIPv6 = isIPv6
        self.host = host
    }

    mutating func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>) -> T) -> T {
        withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1, body)
        }
    }

    /// 127.0.0.0/8, ::1, or an IPv4-mapped loopback address: only this host can connect.
    var isLoopback: Bool {
        var copy = storage
        return withUnsafeBytes(of: &copy) { raw in
            if isIPv6 {
                let bytes = Array(raw[8..<24]) // sin6_addr in sockaddr_in6
                if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }
                return bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF && bytes[12] == 127
            }
            return raw[4] == 127 // first byte of sin_addr in sockaddr_in
        }
    }

    func display(port: Int) -> String {
        isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// Why the HTTP server could not start: the address, and the system's or libmicrohttpd's reason.
public struct HTTPServerError: Error, Sendable, CustomStringConvertible {
    let message: String

    public var description: String { message }

    static func badAddress(_ host: String, _ detail: String) -> HTTPServerError {
        HTTPServerError(message: "cannot listen on \"\(host)\": \(detail)")
    }

    static func startFailed(_ address: String, errno code: Int32, _ detail: String) -> HTTPServerError {
        HTTPServerError(message: "cannot start the HTTP server on \(address): \(detail) (errno \(code)); is the port in use or the address not local?")
    }
}
