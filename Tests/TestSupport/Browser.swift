import Foundation

/// A real browser for end-to-end tests: Debian's headless Chromium driven over WebDriver (W3C) by
/// its `chromedriver`, both started here on 127.0.0.1 and killed by `quit()`.
public final class Browser: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Why there is no browser on this machine (nil: there is one).
    public static var missing: String? {
        for tool in [driverPath, chromiumPath] where !FileManager.default.isExecutableFile(atPath: tool) {
            return "\(tool) is not installed (Debian packages chromium and chromium-driver; scripts/setup installs them)"
        }
        return nil
    }

    static let driverPath = "/usr/bin/chromedriver"
    static let chromiumPath = "/usr/bin/chromium"

    private let driver = Process()
    private let base: String
    private var session = ""

    /// Starts chromedriver and a headless Chromium window of `width`×`height`.
    public init(width: Int = 1400, height: Int = 1000) throws {
        let port = FreePort.next()
        base = "http://127.0.0.1:\(port)"
        driver.executableURL = URL(fileURLWithPath: Self.driverPath)
        driver.arguments = ["--port=\(port)", "--allowed-ips=127.0.0.1"]
        driver.standardOutput = FileHandle.nullDevice
        driver.standardError = FileHandle.nullDevice
        try driver.run()
        var ready = false
        for _ in 0..<100 where !ready {
            ready = ((try? request("GET", "/status", timeout: 2))?["value"] as? [String: Any])?["ready"] as? Bool == true
            if !ready { Thread.sleep(forTimeInterval: 0.1) }
        }
        guard ready else { quit(); throw Failure(description: "chromedriver did not start on port \(port)") }
        let options: [String: Any] = [
            "binary": Self.chromiumPath,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=\(width),\(height)",
                     "--no-first-run", "--disable-extensions", "--force-color-profile=srgb", "--hide-scrollbars"],
        ]
        let created = try request("POST", "/session", ["capabilities": ["alwaysMatch": ["browserName": "chrome", "goog:chromeOptions": options]]], timeout: 60)
        guard let value = created["value"] as? [String: Any], let id = value["sessionId"] as? String else {
            quit()
            throw Failure(description: "no browser session: \(created)")
        }
        session = id
    }

    /// Opens `url` and waits for the page to load.
    public func go(_ url: String) throws { _ = try command("POST", "url", ["url": url]) }

    /// The page's DOM as HTML, as the browser holds it now.
    public func source() throws -> String { try command("GET", "source") as? String ?? "" }

    public func currentURL() throws -> String { try command("GET", "url") as? String ?? "" }

    public func title() throws -> String { try command("GET", "title") as? String ?? "" }

    /// The elements `css` selects (their WebDriver ids).
    public func find(_ css: String) throws -> [String] {
        let found = try command("POST", "elements", ["using": "css selector", "value": css]) as? [[String: Any]] ?? []
        return found.compactMap { $0.values.first as? String }
    }

    public func click(_ element: String) throws { _ = try command("POST", "element/\(element)/click", [:]) }

    /// The text an element shows.
    public func text(_ element: String) throws -> String { try command("GET", "element/\(element)/text") as? String ?? "" }

    public func attribute(_ element: String, _ name: String) throws -> String? { try command("GET", "element/\(element)/attribute/\(name)") as? String }

    /// Types into an input.
    public func type(_ element: String, _ text: String) throws { _ = try command("POST", "element/\(element)/value", ["text": text]) }

    /// Runs `script` in the page; its return value.
    public func execute(_ script: String) throws -> Any? { try command("POST", "execute/sync", ["script": script, "args": []]) }

    /// Writes a PNG of the window to `path`.
    public func screenshot(to path: String) throws {
        guard let base64 = try command("GET", "screenshot") as? String, let data = Data(base64Encoded: base64) else {
            throw Failure(description: "no screenshot")
        }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// Ends the session and the driver (and its browser).
    public func quit() {
        if !session.isEmpty { _ = try? request("DELETE", "/session/\(session)", timeout: 10) }
        session = ""
        if driver.isRunning {
            kill(driver.processIdentifier, SIGKILL)
            driver.waitUntilExit()
        }
    }

    deinit { quit() }

    private func command(_ method: String, _ path: String, _ body: [String: Any]? = nil) throws -> Any? {
        let answer = try request(method, "/session/\(session)/\(path)", body, timeout: 60)
        if let value = answer["value"] as? [String: Any], let error = value["error"] as? String {
            throw Failure(description: "\(method) \(path): \(error): \(value["message"] as? String ?? "")")
        }
        return answer["value"] ?? nil
    }

    /// One WebDriver request, made with curl (with its own deadline).
    private func request(_ method: String, _ path: String, _ body: [String: Any]? = nil, timeout: Double) throws -> [String: Any] {
        var arguments = ["curl", "-s", "--max-time", String(Int(timeout)), "-X", method, base + path]
        var file: String?
        if let body {
            let path = NSTemporaryDirectory() + "webdriver-" + UUID().uuidString + ".json"
            try JSONSerialization.data(withJSONObject: body).write(to: URL(fileURLWithPath: path))
            arguments += ["-H", "Content-Type: application/json", "--data-binary", "@" + path]
            file = path
        }
        defer { if let file { try? FileManager.default.removeItem(atPath: file) } }
        let text = try TestProcess.output(arguments, trimmed: false)
        guard let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw Failure(description: "\(method) \(path): no JSON answer (\(text.prefix(200)))")
        }
        return json
    }
}
