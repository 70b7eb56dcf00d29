import Foundation

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
    // `@unchecked Sendable`: the Process is only started in init and stopped in `stop()`, both guarded by the
    // owner; Foundation's Process is thread-safe for terminate/wait.
    private let process: Process

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
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let reader = output.fileHandleForReading
        var line = Data()
        let deadline = Date().addingTimeInterval(timeout)
        while !line.contains(0x0A) {
            let chunk = reader.availableData
            if chunk.isEmpty {
                process.waitUntilExit()
                throw Failure(description: "secretwatch-standins exited with status \(process.terminationStatus) before it was ready")
            }
            line.append(chunk)
            if Date() > deadline {
                process.terminate()
                throw Failure(description: "secretwatch-standins did not report its endpoints within \(Int(timeout)) s")
            }
        }
        let first = line.prefix { $0 != 0x0A }
        do {
            endpoints = try JSONDecoder().decode(Endpoints.self, from: Data(first))
        } catch {
            process.terminate()
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--dir", directory] + certificates.flatMap { ["--make-app-certificate", "\($0.name)=\($0.validForDays)"] }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw Failure(description: "secretwatch-standins --make-app-certificate failed (status \(process.terminationStatus))")
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
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}
