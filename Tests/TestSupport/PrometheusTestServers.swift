import Foundation

/// A test exporter: a folder served over HTTP (python3 -m http.server) whose `metrics.txt` is a
/// JVM web app's page as Micrometer writes it (`http_server_requests_seconds`), with the error
/// rate and latency the test sets.
public final class PrometheusExporter: @unchecked Sendable {
    public let folder = NSTemporaryDirectory() + "gitops-exporter-" + UUID().uuidString
    let server = Process()
    public let port: Int
    private let lock = NSLock()
    private var requests = 0.0, errors = 0.0
    private var buckets: [Double] = [0, 0, 0, 0, 0]
    /// The bucket bounds, seconds.
    static let bounds = [0.05, 0.1, 0.2, 0.5, 1.0]
    private var errorRate = 0.0, latency = 0.03
    private var stopped = false

    public init() throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // The kernel's pick (random numbers collided between tests running at once).
        port = FreePort.next()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", "-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", folder]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try write()
        try server.run()
        // Serving before the first check reads it: a loaded machine starts Python in seconds.
        for _ in 0..<300 where (try? TestProcess.output(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/metrics.txt"])) != "200" {
            Thread.sleep(forTimeInterval: 0.1)
        }
        // Its own thread: the test process's task pool is busy with other suites, and counters
        // that stop moving read as 0/0 (NaN) to Prometheus.
        let thread = Thread { [weak self] in
            while let self, !self.lock.withLock({ self.stopped }) {
                self.tick()
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        thread.start()
    }

    /// What the next requests look like.
    public func set(errorRate: Double, latency: Double) { lock.withLock { self.errorRate = errorRate; self.latency = latency } }

    /// Twenty requests every tick, `errorRate` of them 5xx, each taking `latency`.
    private func tick() {
        lock.withLock {
            requests += 20
            errors += 20 * errorRate
            for (index, bound) in Self.bounds.enumerated() where latency <= bound { buckets[index] += 20 }
        }
        try? write()
    }

    private func write() throws {
        let text = lock.withLock { () -> String in
            var text = "# TYPE http_server_requests_seconds histogram\n"
            for (index, bound) in Self.bounds.enumerated() { text += "http_server_requests_seconds_bucket{le=\"\(bound)\"} \(buckets[index])\n" }
            text += "http_server_requests_seconds_bucket{le=\"+Inf\"} \(requests)\n"
            text += "http_server_requests_seconds_count{status=\"200\"} \(requests - errors)\n"
            text += "http_server_requests_seconds_count{status=\"500\"} \(errors)\n"
            return text
        }
        try text.write(toFile: folder + "/metrics.txt", atomically: true, encoding: .utf8)
    }

    public func stop() {
        lock.withLock { stopped = true }
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        try? FileManager.default.removeItem(atPath: folder)
    }
}

/// Debian's Prometheus on 127.0.0.1, scraping the exporter every second as job `job`.
public final class TestPrometheus: @unchecked Sendable {
    public let folder = NSTemporaryDirectory() + "gitops-prometheus-" + UUID().uuidString
    let process = Process()
    public let port = FreePort.next()
    public var address: String { "http://127.0.0.1:\(port)" }

    public init(scraping exporter: Int, job: String = "blog") throws {
        try FileManager.default.createDirectory(atPath: folder + "/data", withIntermediateDirectories: true)
        try """
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            scrape_configs:
              - job_name: \(job)
                metrics_path: /metrics.txt
                static_configs: [{targets: ["127.0.0.1:\(exporter)"]}]

            """.write(toFile: folder + "/prometheus.yml", atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["prometheus", "--config.file=\(folder)/prometheus.yml", "--storage.tsdb.path=\(folder)/data",
                             "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    public func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: folder)
    }
}

