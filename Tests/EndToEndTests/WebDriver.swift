import Foundation

/// A minimal W3C WebDriver client for headless Chromium through `chromedriver`: enough to
/// open a page, run script in it and take a screenshot. Chromium and chromedriver are
/// Debian's (`apt-get install chromium chromium-driver`; CI installs them).
final class WebDriver {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static let chromium = "/usr/bin/chromium", chromedriver = "/usr/bin/chromedriver"

    private let driver: Process
    private let base: URL
    private var session = ""

    /// Starts chromedriver on a free port and a headless browser session.
    init(width: Int = 1400, height: Int = 1000) async throws {
        for tool in [Self.chromium, Self.chromedriver] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw Failure(description: "\(tool) is missing: install Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")
        }
        let port = try Self.freePort()
        driver = Process()
        driver.executableURL = URL(fileURLWithPath: Self.chromedriver)
        driver.arguments = ["--port=\(port)", "--log-level=OFF"]
        driver.standardOutput = FileHandle.nullDevice
        driver.standardError = FileHandle.nullDevice
        try driver.run()
        base = URL(string: "http://127.0.0.1:\(port)")!
        var ready = false, last = "no answer"
        for _ in 0..<100 where !ready {
            do {
                let status = try await request("GET", "status")
                ready = (status["value"] as? [String: Any])?["ready"] as? Bool == true
                last = "\(status)"
            } catch {
                last = "\(error)"
            }
            if !ready { try await Task.sleep(nanoseconds: 100_000_000) }
        }
        guard ready else { stop(); throw Failure(description: "chromedriver did not start on port \(port): \(last)") }
        let options: [String: Any] = [
            "binary": Self.chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=\(width),\(height)"],
        ]
        do {
            let created = try await request("POST", "session", ["capabilities": ["alwaysMatch": ["goog:chromeOptions": options]]])
            guard let value = created["value"] as? [String: Any], let id = value["sessionId"] as? String else {
                throw Failure(description: "no session: \(created)")
            }
            session = id
        } catch {
            stop()
            throw error
        }
    }

    /// Ends the session and stops chromedriver.
    func quit() async {
        if !session.isEmpty { _ = try? await request("DELETE", "session/\(session)") }
        stop()
    }

    /// chromedriver ignores SIGTERM while it waits for requests.
    private func stop() {
        kill(driver.processIdentifier, SIGKILL)
        driver.waitUntilExit()
    }

    func open(_ file: URL) async throws {
        _ = try await request("POST", "session/\(session)/url", ["url": file.absoluteString])
    }

    /// Runs `script` (a function body; `arguments[k]` are `args`) and returns its value.
    @discardableResult
    func run(_ script: String, _ args: [Any] = []) async throws -> Any? {
        let answer = try await request("POST", "session/\(session)/execute/sync", ["script": script, "args": args])
        let value = answer["value"]
        return value is NSNull ? nil : value
    }

    /// Waits until `condition` (a script expression) is true.
    func wait(for condition: String, seconds: Double = 20) async throws {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if try await run("return !!(\(condition));") as? Bool == true { return }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        throw Failure(description: "timed out waiting for \(condition)")
    }

    /// Keys a person presses, one after the other, on the focused element (WebDriver
    /// actions: real key events, not events a script makes).
    func press(_ keys: [Key]) async throws {
        let steps = keys.flatMap { [["type": "keyDown", "value": $0.rawValue], ["type": "keyUp", "value": $0.rawValue]] }
        _ = try await request("POST", "session/\(session)/actions", ["actions": [["type": "key", "id": "keyboard", "actions": steps]]])
    }

    /// WebDriver's code points for the keys the tests press.
    enum Key: String { case tab = "\u{E004}", enter = "\u{E007}", space = " ", home = "\u{E011}", arrowLeft = "\u{E012}", arrowRight = "\u{E014}" }

    /// Renders the page for print (`true`) or for the screen, through Chromium's DevTools
    /// (chromedriver's `goog/cdp/execute`): screenshots of the print view.
    func emulatePrint(_ print: Bool) async throws {
        _ = try await request("POST", "session/\(session)/goog/cdp/execute",
                              ["cmd": "Emulation.setEmulatedMedia", "params": ["media": print ? "print" : ""]])
    }

    /// A PNG of the window.
    func screenshot() async throws -> Data {
        let answer = try await request("GET", "session/\(session)/screenshot")
        guard let text = answer["value"] as? String, let png = Data(base64Encoded: text) else { throw Failure(description: "no screenshot") }
        return png
    }

    private func request(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()
        let data = try Self.http(method: method, port: base.port!, path: "/" + path, body: payload)
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Failure(description: "not a WebDriver answer: \(String(decoding: data, as: UTF8.self))")
        }
        if let value = object["value"] as? [String: Any], let error = value["error"] as? String {
            throw Failure(description: "\(method) \(path): \(error): \(value["message"] ?? "")")
        }
        return object
    }

    /// One HTTP/1.1 exchange on 127.0.0.1 (chromedriver answers HTTP/1.1 only, with a
    /// Content-Length and the connection kept open), returning the body. URLSession cannot be used:
    /// on Linux its libcurl backend fails on chromedriver's answers with "Failed writing
    /// header" (swift-corelibs-foundation issue 4965).
    private static func http(method: String, port: Int, path: String, body: Data) throws -> Data {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard connected == 0 else { throw Failure(description: "connect to port \(port): \(String(cString: strerror(errno)))") }
        var request = Data("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
        request.append(body)
        try request.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < bytes.count {
                let n = send(fd, bytes.baseAddress! + offset, bytes.count - offset, 0)
                guard n > 0 else { throw Failure(description: "send: \(String(cString: strerror(errno)))") }
                offset += n
            }
        }
        var answer = Data(), buffer = [UInt8](repeating: 0, count: 65536), length: Int?, bodyStart = 0
        while length.map({ answer.count < bodyStart + $0 }) ?? true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Failure(description: "no complete HTTP answer from port \(port) (\(answer.count) bytes)") }
            answer.append(contentsOf: buffer[0..<n])
            if length == nil, let split = answer.range(of: Data("\r\n\r\n".utf8)) {
                bodyStart = split.upperBound - answer.startIndex
                let header = String(decoding: answer[..<split.lowerBound], as: UTF8.self).lowercased()
                guard let line = header.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
                      let count = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) else {
                    throw Failure(description: "an HTTP answer without Content-Length from port \(port)")
                }
                length = count
            }
        }
        return answer.subdata(in: (answer.startIndex + bodyStart)..<(answer.startIndex + bodyStart + length!))
    }

    /// A TCP port nobody listens on now.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0 else { throw Failure(description: "cannot find a free port") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
