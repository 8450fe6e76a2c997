import Cluster
import YAML
import Foundation
import Testing
import TestSupport

/// The dashboard in a real browser (Debian's headless Chromium over WebDriver): against `gitops ui`
/// on a copy of this repository synced to kube-test-server, and against the sync job's own port.
/// Pages load, links work, the environments table shows the sync, a drift shows its diff, no
/// Secret value is in any page's HTML, and user data cannot run as a script. Screenshots of the
/// main pages go to `.build/screenshots` (or `$GITOPS_SCREENSHOTS`) for a person to look at.
@Suite(.serialized) struct BrowserTests {
    static let screenshots = ProcessInfo.processInfo.environment["GITOPS_SCREENSHOTS"] ?? GitopsProcessTests.repositoryRoot + "/.build/screenshots"

    /// A browser, or nil (with a recorded failure in CI, where scripts/setup installs one).
    static func browser() throws -> Browser? {
        if let missing = Browser.missing {
            if ProcessInfo.processInfo.environment["CI"] != nil { Issue.record("no browser in CI: \(missing)") }
            print("BrowserTests skipped: \(missing)")
            return nil
        }
        return try Browser()
    }

    /// What no page may hold: the test Secret's value, plain or base64.
    static func expectNoSecret(_ html: String, _ page: String) {
        #expect(!html.contains(TestSecrets.password) && !html.contains(Data(TestSecrets.password.utf8).base64EncodedString()), "a Secret value in \(page)")
    }

    /// Every same-site link of the page the browser shows.
    static func links(_ browser: Browser) throws -> [String] {
        let found = try browser.execute("return Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href')).filter(h => h.startsWith('/'));")
        return found as? [String] ?? []
    }

    @Test func theDashboardInABrowser() async throws {
        guard let browser = try Self.browser() else { return }
        defer { browser.quit() }
        let setup = try await SyncCommandTests.Setup()
        defer { setup.finish() }
        // User data that would run if printed as it is: in an object's name and in its data.
        try setup.copy.write("environments/dev/platform/notes.yaml", """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: "x<img src=x onerror=window.pwned=1>"
              annotations:
                note: "<script>window.pwned = 2</script>"
            data:
              html: "<img src=y onerror=window.pwned=3>"

            """)
        // A change committed on top (for the history and compare pages), then production synced.
        try setup.copy.edit("environments/production/platform/resource-quota.yaml") { $0.replacingOccurrences(of: "pods: \"", with: "pods: \"1") }
        try setup.copy.run("git", "-c", "user.email=t@example.com", "-c", "user.name=T", "commit", "-q", "-am", "More pods for production")
        let synced = try setup.sync()
        #expect(synced.status == 0, "\(synced.stdout)\(synced.stderr)")
        // Someone edits the quota in the cluster: a drift.
        let client = try setup.client()
        let edit = try #require(try YAML.values(Array("{apiVersion: v1, kind: ResourceQuota, metadata: {name: compute, namespace: blog-production}, spec: {hard: {pods: '999'}}}".utf8), file: "edit").first?.objectValue)
        _ = try await client.apply(edit, fieldManager: "kubectl-edit", force: true)

        // Two open branches into production: a promotion whose gates pass and a set whose policy fails.
        for arguments in [["promote", "staging", "production"], ["set", "production", "blog", "image.tag=latest"]] {
            let opened = try GitopsRun(arguments + ["--repo", setup.copy.path], environment: ["GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com",
                                                                                           "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com"])
            #expect(opened.status == 0, "\(opened.stdout)\(opened.stderr)")
        }
        let ui = try DashboardTests.UI(["--repo", setup.copy.path, "--kubeconfig", setup.kubeconfig, "--context", "kube-test-server"])
        defer { ui.stop() }

        // The environments page: production synced, with its drift counted.
        try browser.go(ui.url)
        #expect(try browser.title() == "Environments · gitops")
        let rows = try browser.find("#environments tbody tr")
        #expect(rows.count == 3)
        let production = try rows.map { try browser.text($0) }.first { $0.hasPrefix("production") } ?? ""
        #expect(production.contains("Synced") && production.contains("1 differ"), "\(production)")
        let branches = try browser.find("#branches tbody tr").map { try browser.text($0) }
        #expect(branches.count == 2, "\(branches)")
        #expect(branches.contains { $0.hasPrefix("promote/production/") && $0.contains("passes") }, "\(branches)")
        #expect(branches.contains { $0.hasPrefix("set/production/blog-") && $0.contains("2 errors") && $0.contains("deployment.yaml:39:11 error images/autogen-disallow-latest-tag") }, "\(branches)")
        try browser.screenshot(to: Self.screenshots + "/environments.png")
        Self.expectNoSecret(try browser.source(), "/")

        // The filter hides what does not match (the JavaScript enhancement).
        let filter = try #require(try browser.find("input.filter").first)
        try browser.type(filter, "blog-staging")
        let shown = try browser.execute("return Array.from(document.querySelectorAll('#environments .row')).filter(r => r.style.display !== 'none').length;")
        #expect(shown as? Int == 1)

        // Production's page, by clicking its link: the drift and its diff.
        try browser.go(ui.url)
        try browser.click(try #require(try browser.find("a[href='/environments/production']").first))
        #expect(try browser.currentURL().hasSuffix("/environments/production"))
        let drift = try browser.text(try #require(try browser.find("#drift").first))
        #expect(drift.contains("out of sync") && drift.contains("ResourceQuota blog-production/compute"), "\(drift)")
        let lines = drift.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("-") && $0.hasSuffix("pods: \"999\"") } && lines.contains { $0.hasPrefix("+") && $0.hasSuffix("pods: \"140\"") }, "\(drift)")
        try browser.screenshot(to: Self.screenshots + "/environment.png")
        let productionLinks = try Self.links(browser)

        // The object's page from the drift list: live and Git side by side.
        try browser.click(try #require(try browser.find("#drift a[href$='/ResourceQuota/blog-production/compute']").first))
        #expect(try browser.title() == "ResourceQuota compute · gitops")
        #expect(try browser.text(try #require(try browser.find("#live").first)).contains("pods: \"999\""))
        try browser.click(try #require(try browser.find("p.views a").first))
        #expect(try browser.currentURL().hasSuffix("?view=split"))
        let split = try browser.text(try #require(try browser.find("table.diff.split").first))
        #expect(split.contains("pods: \"999\"") && split.contains("Live") && split.contains("Git"), "\(split)")
        try browser.screenshot(to: Self.screenshots + "/object.png")

        // History: the commit and what it changed; compare: the two revisions.
        try browser.go(ui.url + "history")
        let history = try browser.text(try #require(try browser.find("#history").first))
        #expect(history.contains("More pods for production") && history.contains("production: 1 object\n"), "\(history)")
        #expect(history.range(of: "More pods for production")!.lowerBound < history.range(of: "copy")!.lowerBound, "newest first: \(history)")
        try browser.screenshot(to: Self.screenshots + "/history.png")
        try browser.go(ui.url + "compare")
        try browser.click(try #require(try browser.find("form.compare button").first))
        let compareURL = try browser.currentURL()
        #expect(compareURL.contains("/compare?from=HEAD") && compareURL.hasSuffix("&to=HEAD"), "\(compareURL)")
        let compared = try browser.source()
        #expect(compared.contains("0 to create, 1 to update, 0 to prune"), "\(compared.prefix(3000))")
        try browser.screenshot(to: Self.screenshots + "/compare.png")

        // Every link of the environments page and of production's page loads a page, none a Secret value.
        try browser.go(ui.url)
        var visited = Set<String>()
        for link in try Self.links(browser) + productionLinks where !visited.contains(link) && !link.hasPrefix("/api/") {
            visited.insert(link)
            try browser.go(ui.url + link.dropFirst())
            #expect(try browser.title() != "Not found · gitops", "\(link)")
            Self.expectNoSecret(try browser.source(), link)
        }
        #expect(visited.count > 30, "\(visited.count) links")

        // The odd name and data are shown as text, and nothing of them ran.
        try browser.go(ui.url + "environments/dev")
        let odd = try #require(try browser.find("a[href*='ConfigMap/blog-dev/x']").first)
        #expect(try browser.text(odd) == "x<img src=x onerror=window.pwned=1>")
        try browser.click(odd)
        #expect(try browser.source().contains("&lt;script&gt;window.pwned = 2&lt;/script&gt;"))
        #expect(try browser.find("img").isEmpty)
        #expect(try browser.execute("return window.pwned === undefined;") as? Bool == true)
    }

    /// The sync job's port serves its environment's dashboard: open on 127.0.0.1; beyond it, only
    /// with the token (a bearer token, or the password a browser asks for).
    @Test func theSyncJobServesItsEnvironment() async throws {
        guard let browser = try Self.browser() else { return }
        defer { browser.quit() }
        let daemon = try PushTests.Daemon()
        defer { daemon.stop() }
        let setup = try await SyncCommandTests.Setup()
        defer { setup.finish() }
        try RolloutCommandTests.dropRollouts(setup.copy)
        let job = try SyncServiceTests.Job(daemon: daemon, setup: setup, arguments: ["--interval", "600", "--listen", "127.0.0.1:0"])
        defer { job.kill9() }
        let client = try setup.client()
        #expect(try await SyncServiceTests.eventually(60) { try await SyncStatusReader.result(client) == "Synced" }, "\(job.log)")
        let address = try #require(job.log.split(separator: "\n").first { $0.contains("\"message\":\"listening\"") }
            .flatMap { line in line.range(of: "\"address\":\"").map { line[$0.upperBound...].prefix { $0 != "\"" } } })

        try browser.go("http://\(address)/")
        let rows = try browser.find("#environments tbody tr")
        #expect(rows.count == 1)
        let row = try rows.first.map(browser.text) ?? ""
        #expect(row.hasPrefix("production") && row.contains("Synced") && row.contains("in sync") && row.contains("healthy"), "\(row)")
        try browser.screenshot(to: Self.screenshots + "/sync-job.png")
        try browser.click(try #require(try browser.find("a[href='/environments/production']").first))
        #expect(try browser.text(try #require(try browser.find("#drift").first)).contains("Every object is as Git has it."))
        Self.expectNoSecret(try browser.source(), "the job's production page")
        try browser.go("http://\(address)/environments/production/objects/Secret/blog-production/blog-database")
        #expect(try browser.source().contains("(hidden: "))
        Self.expectNoSecret(try browser.source(), "the job's Secret page")
        // Its own endpoints are as they were.
        #expect(try PushTests.sh("curl -s http://\(address)/metrics").contains("gitops_sync_total"))

        // Listening beyond loopback: the token, or nothing.
        job.kill9()
        job.process.waitUntilExit()
        try job.start(["--interval", "600", "--listen", "0.0.0.0:0"], environment: ["GITOPS_DASHBOARD_TOKEN": "t0ken"])
        var open = ""
        #expect(try await SyncServiceTests.eventually(30) {
            open = job.log.split(separator: "\n").last { $0.contains("\"message\":\"listening\"") && $0.contains("0.0.0.0") }
                .flatMap { line in line.range(of: "\"address\":\"0.0.0.0:").map { String(line[$0.upperBound...].prefix { $0 != "\"" }) } } ?? ""
            return !open.isEmpty
        })
        func status(_ arguments: String) throws -> String {
            try PushTests.sh("curl -s -o /dev/null -w '%{http_code}' \(arguments) http://127.0.0.1:\(open)/api/v1/environments")
        }
        #expect(try await SyncServiceTests.eventually(30) { try status("-H 'Authorization: Bearer t0ken'") == "200" })
        #expect(try status("") == "401")
        #expect(try status("-H 'Authorization: Bearer wrong'") == "401")
        #expect(try status("-u any:t0ken") == "200")
        #expect(try PushTests.sh("curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:\(open)/metrics") == "200")

        // SIGTERM: a clean stop (the dashboard's cluster client, released on the server's event
        // loop, once crashed the job here).
        kill(job.process.processIdentifier, SIGTERM)
        #expect(try await SyncServiceTests.eventually(10) { !job.process.isRunning })
        #expect(job.process.terminationReason == .exit && job.process.terminationStatus == 0, "\(job.log.suffix(2000))")
    }
}
