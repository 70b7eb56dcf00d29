import Dispatch
import FoundationEssentials

/// The `secretwatch-standins` executable run as a child process (the demo and the end-to-end tests): local
/// stand-ins for Entra ID's token endpoint and Exchange Online's SMTP submission, never Microsoft. The stand-ins
/// live in their own executable so that the production code never links them.
public final class StandInsProcess: @unchecked Sendable {
    /// What the child printed on its first line.
    public struct Endpoints: Decodable, Sendable {
        public var caFile: String
        public var control: String
        public var mailDir: String
        public var smtpHost: String
        public var smtpPort: Int
        public var tokenEndpoint: String
        /// The Graph stand-in's base URL (on the token stand-in's port), without `/v1.0`.
        public var graphBaseURL: String
        public var pid: Int32

        enum CodingKeys: String, CodingKey {
            case control, pid
            case caFile = "ca_file"
            case mailDir = "mail_dir"
            case smtpHost = "smtp_host"
            case smtpPort = "smtp_port"
            case tokenEndpoint = "token_endpoint"
            case graphBaseURL = "graph_base_url"
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let endpoints: Endpoints
    // `@unchecked Sendable`: the child is only started in init and stopped in `stop()`, both guarded by the
    // owner; `ChildProcess` is thread-safe for terminate/wait.
    private let process: ChildProcess

    /// `secretwatch-standins` next to the running executable (`swift build` puts both in the same folder).
    public static func defaultExecutable() -> String {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("secretwatch-standins").path
    }

    /// Starts the stand-ins and waits (at most `timeout`) for their description line.
    public init(executable: String = StandInsProcess.defaultExecutable(), arguments: [String], timeout: TimeInterval = 30) throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw Failure(description: "\(executable) not found: build it with `swift build --product secretwatch-standins` (make demo does)")
        }
        process = try Self.start(executable, arguments)
        var line = Data()
        let deadline = Date().addingTimeInterval(timeout)
        while !line.contains(0x0A) {
            let chunk = process.read()
            if chunk.isEmpty {
                throw Failure(description: "secretwatch-standins exited with status \(Self.status(process.wait())) before it was ready")
            }
            line.append(contentsOf: chunk)
            if Date() > deadline {
                process.terminate()
                process.wait()
                throw Failure(description: "secretwatch-standins did not report its endpoints within \(Int(timeout)) s")
            }
        }
        let first = line.prefix { $0 != 0x0A }
        do {
            endpoints = try JSONDecoder().decode(Endpoints.self, from: Data(first))
        } catch {
            process.terminate()
            process.wait()
            throw Failure(description: "secretwatch-standins printed an unexpected first line: \(String(decoding: first, as: UTF8.self))")
        }
    }

    deinit { stop() }

    /// A certificate and key `secretwatch-standins --make-app-certificate` minted.
    public struct AppCertificateFiles: Decodable, Sendable, Equatable {
        public var name: String
        public var certificateFile: String
        public var keyFile: String

        enum CodingKeys: String, CodingKey {
            case name
            case certificateFile = "certificate_file"
            case keyFile = "key_file"
        }
    }

    /// Runs `secretwatch-standins --dir DIRECTORY --make-app-certificate NAME=DAYS …` to completion (at most
    /// `timeout`): self-signed app certificates and their keys (mode 0600), as an admin makes them to upload to
    /// an Entra app registration. Blocks: call it off the cooperative pool.
    public static func makeAppCertificates(executable: String = StandInsProcess.defaultExecutable(), in directory: String,
                                           _ certificates: [(name: String, validForDays: Double)],
                                           timeout: TimeInterval = 60) throws -> [AppCertificateFiles] {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw Failure(description: "\(executable) not found: build it with `swift build --product secretwatch-standins` (make demo does)")
        }
        let arguments = ["--dir", directory] + certificates.flatMap { ["--make-app-certificate", "\($0.name)=\($0.validForDays)"] }
        let process = try start(executable, arguments)
        let watchdog = DispatchWorkItem { process.terminate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        let data = process.readToEnd()
        let termination = process.wait()
        watchdog.cancel()
        guard termination == .exited(0) else {
            throw Failure(description: "secretwatch-standins --make-app-certificate failed (status \(status(termination)))")
        }
        struct Answer: Decodable {
            var appCertificates: [AppCertificateFiles]
            enum CodingKeys: String, CodingKey { case appCertificates = "app_certificates" }
        }
        let line = data.prefix { $0 != 0x0A }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(line)) else {
            throw Failure(description: "secretwatch-standins --make-app-certificate printed an unexpected line: \(String(decoding: line, as: UTF8.self))")
        }
        return answer.appCertificates
    }

    public var isRunning: Bool { process.isRunning }

    /// SIGTERM, then wait for the child to finish.
    public func stop() {
        process.terminate()
        process.wait()
        process.wait()
    }

    private static func start(_ executable: String, _ arguments: [String]) throws(Failure) -> ChildProcess {
        do {
            return try ChildProcess(executable: executable, arguments: arguments)
        } catch {
            throw Failure(description: error.description)
        }
    }

    /// The exit code, or the number of the signal that ended the child (as Foundation's `terminationStatus`).
    private static func status(_ termination: ChildProcess.Termination) -> Int32 {
        switch termination {
        case .exited(let code), .signalled(let code): code
        }
    }
}
