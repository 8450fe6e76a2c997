import Foundation
import Testing
import TestSupport

/// `gitops ui` as a process on a copy of this repository: every page and link answers, the JSON
/// under /api/v1 holds the same data, findings point at their file and line, a Secret's value is
/// in no page, user data is printed inert, and with a cluster the environments table shows what
/// a sync recorded.
@Suite struct DashboardTests {
    /// `gitops ui` running until `stop()`; `url` ends with a slash.
    final class UI {
        let process = Process()
        let url: String
        private let output: String

        init(_ arguments: [String]) throws {
            output = NSTemporaryDirectory() + "gitops-ui-" + UUID().uuidString
            _ = FileManager.default.createFile(atPath: output, contents: nil)
            process.executableURL = GitopsRun.executable
            process.arguments = ["ui", "--listen", "127.0.0.1:0"] + arguments
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            process.standardError = FileHandle.nullDevice
            try process.run()
            var found: String?
            for _ in 0..<300 where found == nil {
                let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
                found = text.firstRange(of: "http://").map { String(text[$0.lowerBound...].prefix { !$0.isWhitespace }) }
                if found == nil { Thread.sleep(forTimeInterval: 0.1) }
            }
            url = found ?? "http://127.0.0.1:1/"
        }

        /// The body and status of `path` (relative to the root).
        func get(_ path: String) throws -> (status: Int, body: String) {
            let marker = "\n--status:"
            let text = try TestProcess.output(["curl", "-s", "--max-time", "10", "-w", marker + "%{http_code}", url + path.drop { $0 == "/" }], trimmed: false)
            guard let range = text.range(of: marker, options: .backwards) else { return (0, text) }
            return (Int(text[range.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, String(text[..<range.lowerBound]))
        }

        func stop() {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try? FileManager.default.removeItem(atPath: output)
        }
    }

    /// The `href`s of a page that stay on the dashboard.
    static func links(_ html: String) -> [String] {
        html.split(separator: "href=\"").dropFirst().compactMap { part in
            let link = String(part.prefix { $0 != "\"" })
            return link.hasPrefix("/") ? link : nil
        }
    }

    @Test func everyPageAndLinkAnswersWithoutSecretsAndUserDataIsInert() throws {
        let copy = try ClusterDiffTests.Copy()
        defer { copy.remove() }
        // User data that would run as a script if printed as it is.
        try copy.write("environments/dev/platform/notes.yaml", """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: notes
              annotations:
                note: "<script>alert('x')</script>"
            data:
              html: "<img src=x onerror=alert(1)>"

            """)
        // And a mistake: a number where Kubernetes wants a string.
        try copy.write("environments/staging/platform/bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndata:\n  port: 8080\n")
        let validate = try GitopsRun(["validate", "staging", "--repo", copy.path])
        let location = try #require(validate.stdout.split(separator: "\n").first { $0.hasPrefix("environments/staging/platform/bad.yaml:") }?
            .split(separator: " ").first.map { String($0.dropLast()) })
        let ui = try UI(["--repo", copy.path, "--no-cluster"])
        defer { ui.stop() }

        let home = try ui.get("/")
        #expect(home.status == 200, "\(home.body)")
        for name in ["dev", "staging", "production"] { #expect(home.body.contains("<a href=\"/environments/\(name)\">\(name)</a>"), "\(home.body)") }

        // Every link of the environments page and of production's page answers.
        let production = try ui.get("/environments/production")
        #expect(production.status == 200)
        #expect(production.body.contains("canary of blog"), "the rollout is shown on its release")
        let dev = try ui.get("/environments/dev")
        #expect(!dev.body.contains(">nil<") && !production.body.contains(">nil<"), "an absent value is not printed as nil")
        var checked = Set<String>()
        for link in Self.links(home.body) + Self.links(production.body) where !checked.contains(link) {
            checked.insert(link)
            let page = try ui.get(link)
            #expect(page.status == 200, "\(link): \(page.status)")
        }
        #expect(checked.count > 30, "\(checked.count) links")

        // A finding names its file, line and column, as validate does; the environment is marked.
        let staging = try ui.get("/environments/staging")
        #expect(staging.body.contains("<code>\(location)</code>"), "\(location): \(staging.body)")
        #expect(home.body.components(separatedBy: "<tr class=\"row\">").first { $0.contains("/environments/staging\"") }?.contains("blocked by findings") == true)
        let api = try ui.get("/api/v1/environments")
        let json = try JSONSerialization.jsonObject(with: Data(api.body.utf8)) as? [String: Any]
        let environments = json?["environments"] as? [[String: Any]] ?? []
        #expect(environments.map { $0["name"] as? String } == ["dev", "staging", "production"])
        let devJSON = try ui.get("/api/v1/environments/dev")
        #expect(devJSON.status == 200 && devJSON.body.contains(#""objectCount":32"#), "\(devJSON.body.prefix(300))")

        // The Secret's decrypted value is in no page and no JSON; its object page shows its size.
        let secretPage = try ui.get("/environments/dev/objects/Secret/blog-dev/blog-database")
        #expect(secretPage.status == 200 && secretPage.body.contains("(hidden: "), "\(secretPage.body)")
        for page in [home.body, production.body, secretPage.body, api.body, devJSON.body, try ui.get("/api/v1/environments/dev/objects/Secret/blog-dev/blog-database").body] {
            #expect(!page.contains(TestSecrets.password))
        }

        // User data printed inert.
        let notes = try ui.get("/environments/dev/objects/ConfigMap/blog-dev/notes")
        #expect(notes.status == 200)
        #expect(!notes.body.contains("<script>alert") && notes.body.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), "\(notes.body)")
        #expect(!notes.body.contains("<img src=x"))
        let headers = try TestProcess.output(["curl", "-s", "-D", "-", "-o", "/dev/null", ui.url], trimmed: false)
        #expect(headers.contains("Content-Security-Policy: default-src 'self'") && headers.contains("X-Content-Type-Options: nosniff"), "\(headers)")

        // Nothing that writes, and unknown places are 404.
        #expect(try TestProcess.output(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", ui.url + "environments/dev"]) != "200")
        #expect(try ui.get("/environments/nope").status == 404)
        #expect(try ui.get("/environments/dev/objects/ConfigMap/blog-dev/none").status == 404)
    }

    /// With its cluster: production's row shows the sync the job recorded there.
    @Test func theEnvironmentsTableShowsWhatTheClusterRecorded() async throws {
        let setup = try await SyncCommandTests.Setup()
        defer { setup.finish() }
        #expect(try setup.sync().status == 0)
        let ui = try UI(["--repo", setup.copy.path, "--kubeconfig", setup.kubeconfig, "--context", "kube-test-server"])
        defer { ui.stop() }
        let home = try ui.get("/")
        let row = home.body.components(separatedBy: "<tr class=\"row\">").first { $0.contains("/environments/production\"") } ?? ""
        #expect(row.contains("<span class=\"state good\">Synced</span>"), "\(row)")
        let dev = home.body.components(separatedBy: "<tr class=\"row\">").first { $0.contains("/environments/dev\"") } ?? ""
        #expect(dev.contains("never synced"), "\(dev)")
        let api = try ui.get("/api/v1/environments/production")
        #expect(api.body.contains(#""result":"Synced""#), "\(api.body.prefix(400))")
    }
}
