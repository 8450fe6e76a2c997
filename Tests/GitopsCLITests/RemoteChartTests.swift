import Foundation
import Testing
import TestSupport

/// A Helm repository on 127.0.0.1 (Python's http.server over the test's own folder, archives
/// packed with tar, index.yaml written with their sha256 as `helm repo index` writes it), and an
/// environment that names a chart in it by version range.
struct LocalHelmRepository {
    /// Who may read the repository, and over what (scripts/helm-repo-server's options).
    struct Security {
        var user: String?
        var password: String?
        var token: String?
        /// HTTPS with a certificate from the test's own CA (`ca.pem` in the folder).
        var tls = false
        /// Clients must present a certificate from that CA (`client.pem`, `client.key`).
        var clientCertificates = false
    }

    let folder = NSTemporaryDirectory() + "gitops-helm-repo-" + UUID().uuidString
    let port: Int
    let tls: Bool
    private let server: Process

    /// - Parameter urlPrefix: put before each archive's URL in the index (`r/` makes the server
    ///   redirect, an absolute URL points elsewhere).
    init(chart: String, versions: [String], security: Security = Security(), urlPrefix: String = "") throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var index = "apiVersion: v1\nentries:\n  \(URL(fileURLWithPath: chart).lastPathComponent):\n"
        let name = URL(fileURLWithPath: chart).lastPathComponent
        for version in versions {
            // The chart at this version, packed as helm package packs it: NAME/ at the top.
            let work = folder + "/work-\(version)"
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            try Self.sh("cp -R '\(chart)' '\(work)/\(name)' && sed -i 's/^version: .*/version: \(version)/' '\(work)/\(name)/Chart.yaml' && tar -C '\(work)' -czf '\(folder)/\(name)-\(version).tgz' \(name) && rm -rf '\(work)'")
            let digest = try Self.sh("sha256sum '\(folder)/\(name)-\(version).tgz' | cut -d' ' -f1").trimmingCharacters(in: .whitespacesAndNewlines)
            index += "  - name: \(name)\n    version: \(version)\n    digest: \(digest)\n    urls: [\(urlPrefix)\(name)-\(version).tgz]\n"
        }
        try index.write(toFile: folder + "/index.yaml", atomically: true, encoding: .utf8)
        port = FreePort.next()
        tls = security.tls
        var arguments = [GitopsProcessTests.repositoryRoot + "/scripts/helm-repo-server", "--port", String(port), "--dir", folder]
        if let user = security.user { arguments += ["--user", user, "--password", security.password ?? ""] }
        if let token = security.token { arguments += ["--token", token] }
        if security.tls {
            // A CA, the server's certificate for 127.0.0.1 and a client's, all from it.
            let pki = folder + "/.pki"
            try Self.sh("""
                mkdir -p '\(pki)' && cd '\(pki)' && printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext \
                && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=gitops-test-ca 2>/dev/null \
                && openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1 2>/dev/null \
                && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile san.ext 2>/dev/null \
                && openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=gitops-client 2>/dev/null \
                && openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2 2>/dev/null
                """)
            arguments += ["--cert", pki + "/server.pem", "--key", pki + "/server.key"]
            if security.clientCertificates { arguments += ["--client-ca", pki + "/ca.pem"] }
        }
        server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3"] + arguments
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        // Ready when the port accepts connections (a loaded machine may take seconds to start it).
        let deadline = Date().addingTimeInterval(30)
        while !PushTests.Daemon.accepts(port) {
            guard server.isRunning, Date() < deadline else {
                if server.isRunning { kill(server.processIdentifier, SIGKILL) }
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "helm-repo-server did not start on port \(port)"])
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// The test CA and the client certificate (with `Security.tls`).
    var pki: String { folder + "/.pki" }

    var url: String { (tls ? "https" : "http") + "://127.0.0.1:\(port)" }

    func stop() {
        // SIGKILL: the test process may hold SIGTERM blocked, which its children inherit.
        if server.isRunning { kill(server.processIdentifier, SIGKILL) }
        server.waitUntilExit()
        try? FileManager.default.removeItem(atPath: folder)
    }

    @discardableResult
    static func sh(_ command: String) throws -> String { try TestProcess.output(["sh", "-c", command]) }
}

@Suite(.serialized) struct RemoteChartTests {
    @Test func aChartFromAHelmRepositoryIsLockedFetchedOnceAndRenderedOfflineAsTheFolderRenders() throws {
        let redis = GitopsProcessTests.repositoryRoot + "/charts/redis"
        let repository = try LocalHelmRepository(chart: redis, versions: ["1.0.0", "1.2.0", "1.3.0-rc.1", "2.0.0"])
        defer { repository.stop() }
        let scratch = try ScratchEnvironments()
        defer { scratch.remove() }
        let cache = scratch.path + "/.cache"
        try scratch.writeEnvironment(releases: """
                - name: redis
                  chart: {repository: "\(repository.url)", name: redis, version: "^1.0"}
                  values: {replicaCount: 2}
            """)
        // No lock yet: the render says what to do, at the release's line.
        let unlocked = try GitopsRun(["render", "dev", "--repo", scratch.path, "--cache-dir", cache])
        #expect(unlocked.status == 2 && unlocked.stderr.contains("does not pin it: run `gitops chart lock dev`"), "\(unlocked.stderr)")
        // The newest 1.x that is not a pre-release, its digest checked against the index.
        let lock = try GitopsRun(["chart", "lock", "dev", "--repo", scratch.path, "--cache-dir", cache])
        #expect(lock.status == 0 && lock.stdout.contains("redis: redis ^1.0 → 1.2.0 sha256:"), "\(lock.stdout)\(lock.stderr)")
        let lockText = try String(contentsOfFile: scratch.path + "/environments/dev/charts.lock", encoding: .utf8)
        #expect(lockText.contains("version: 1.2.0") && lockText.contains("digest: sha256:"))
        // Offline, from the cache: the same objects as the chart folder renders.
        repository.stop()
        let remote = try GitopsRun(["render", "dev", "--repo", scratch.path, "--cache-dir", cache, "--offline"])
        #expect(remote.status == 0, "\(remote.stderr)")
        try scratch.writeEnvironment(releases: """
                - name: redis
                  chart: charts/redis
                  values: {replicaCount: 2}
            """)
        try FileManager.default.createDirectory(atPath: scratch.path + "/charts", withIntermediateDirectories: true)
        try LocalHelmRepository.sh("cp -R '\(redis)' '\(scratch.path)/charts/redis' && sed -i 's/^version: .*/version: 1.2.0/' '\(scratch.path)/charts/redis/Chart.yaml'")
        let local = try GitopsRun(["render", "dev", "--repo", scratch.path])
        func objects(_ text: String) -> String { text.split(separator: "\n").filter { !$0.hasPrefix("# Source:") }.joined(separator: "\n") }
        #expect(objects(remote.stdout) == objects(local.stdout) && !local.stdout.isEmpty)
        // An empty cache and --offline: what is missing is named, nothing is fetched.
        let empty = try GitopsRun(["render", "dev", "--repo", scratch.path, "--cache-dir", scratch.path + "/.empty", "--offline"])
        #expect(empty.status == 0, "the folder release needs no cache: \(empty.stderr)")
    }

    @Test func aCorruptedArchiveOrAnUnsatisfiableRangeIsRefusedWithWhatExists() throws {
        let redis = GitopsProcessTests.repositoryRoot + "/charts/redis"
        let repository = try LocalHelmRepository(chart: redis, versions: ["1.0.0", "1.2.0"])
        defer { repository.stop() }
        let scratch = try ScratchEnvironments()
        defer { scratch.remove() }
        let cache = scratch.path + "/.cache"
        try scratch.writeEnvironment(releases: """
                - name: redis
                  chart: {repository: "\(repository.url)", name: redis, version: "^3"}
            """)
        let none = try GitopsRun(["chart", "lock", "dev", "--repo", scratch.path, "--cache-dir", cache])
        #expect(none.status == 2 && none.stderr.contains("environments/dev/environment.yaml:8:7: release 'redis': no version of 'redis' in \(repository.url) satisfies '^3' (newest: 1.2.0, 1.0.0)"), "\(none.stderr)")
        // The archive no longer matches the index's digest: nothing is cached, the error says why.
        try LocalHelmRepository.sh("echo tampered >> '\(repository.folder)/redis-1.2.0.tgz'")
        try scratch.writeEnvironment(releases: """
                - name: redis
                  chart: {repository: "\(repository.url)", name: redis, version: "1.2.0"}
            """)
        let corrupted = try GitopsRun(["chart", "lock", "dev", "--repo", scratch.path, "--cache-dir", cache])
        #expect(corrupted.status != 0 && corrupted.stderr.contains("the archive is corrupted or was replaced; nothing was cached"), "\(corrupted.stderr)")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: cache + "/sha256"))?.filter { $0.hasSuffix(".tgz") }.isEmpty ?? true)

        // 1.0.0 locked, then replaced in the repository (index and archive both): a render with an
        // empty cache refuses the new bytes instead of following the moved version.
        try scratch.writeEnvironment(releases: """
                - name: redis
                  chart: {repository: "\(repository.url)", name: redis, version: "1.0.0"}
            """)
        let locked = try GitopsRun(["chart", "lock", "dev", "--repo", scratch.path, "--cache-dir", cache])
        #expect(locked.status == 0, "\(locked.stderr)")
        try LocalHelmRepository.sh("""
            cd '\(repository.folder)' && old=$(sha256sum redis-1.0.0.tgz | cut -d' ' -f1) && mkdir -p moved && tar -xzf redis-1.0.0.tgz -C moved \
            && echo '# moved' >> moved/redis/values.yaml && tar -C moved -czf redis-1.0.0.tgz redis && new=$(sha256sum redis-1.0.0.tgz | cut -d' ' -f1) \
            && sed -i "s/$old/$new/" index.yaml
            """)
        let moved = try GitopsRun(["render", "dev", "--repo", scratch.path, "--cache-dir", scratch.path + "/.fresh"])
        #expect(moved.status == 2 && moved.stderr.contains("the archive changed since it was locked (a moved version is never followed)")
                && moved.stderr.contains("environments/dev/environment.yaml:"), "\(moved.stderr)")
    }

    /// staging and production take redis from the same repository; production promotes from staging.
    static func environment(_ name: String, version: String, repository: String, promote: Bool) -> String {
        ScratchEnvironments.environment(name, promotionFrom: promote ? "staging" : nil, releases: """
                - name: redis
                  # Pinned in charts.lock; promoted with its digest.
                  chart: {repository: "\(repository)", name: redis, version: "\(version)"}
            \(promote ? "      promote: [chart.version]" : "")
            """)
    }

    @Test func aChartVersionIsPromotedWithItsPinAndTheChangeShowsInHistory() throws {
        let redis = GitopsProcessTests.repositoryRoot + "/charts/redis"
        let repository = try LocalHelmRepository(chart: redis, versions: ["1.0.0", "1.2.0"])
        defer { repository.stop() }
        let scratch = try ScratchEnvironments()
        defer { scratch.remove() }
        let cache = scratch.path + "/.cache"
        try scratch.write("environments/staging/environment.yaml", Self.environment("staging", version: "^1.2", repository: repository.url, promote: false))
        try scratch.write("environments/production/environment.yaml", Self.environment("production", version: "1.0.0", repository: repository.url, promote: true))
        for environment in ["staging", "production"] {
            let lock = try GitopsRun(["chart", "lock", environment, "--repo", scratch.path, "--cache-dir", cache])
            #expect(lock.status == 0, "\(lock.stderr)")
        }
        try scratch.git("add", "-A")
        try scratch.git("commit", "-q", "-m", "redis from the chart repository")
        let promoted = try GitopsRun(["promote", "staging", "production", "--merge", "--repo", scratch.path, "--cache-dir", cache])
        #expect(promoted.status == 0 && promoted.stdout.contains("redis chart.version 1.0.0 → ^1.2"), "\(promoted.stdout)\(promoted.stderr)")
        // The version edited in place (the comment and quotes kept), the staging pin copied.
        let environment = try String(contentsOfFile: scratch.path + "/environments/production/environment.yaml", encoding: .utf8)
        #expect(environment.contains("# Pinned in charts.lock; promoted with its digest.") && environment.contains("name: redis, version: \"^1.2\"}"), "\(environment)")
        let staging = try String(contentsOfFile: scratch.path + "/environments/staging/charts.lock", encoding: .utf8)
        let production = try String(contentsOfFile: scratch.path + "/environments/production/charts.lock", encoding: .utf8)
        #expect(production == staging && production.contains("version: 1.2.0"), "\(production)")
        // The promotion shows in production's history, with the objects it changed; offline from the cache.
        repository.stop()
        let history = try GitopsRun(["history", "production", "--repo", scratch.path, "--cache-dir", cache, "--offline", "--limit", "1"])
        #expect(history.status == 0 && history.stdout.contains("promoted from staging at "), "\(history.stdout)\(history.stderr)")
        let validate = try GitopsRun(["validate", "production", "--repo", scratch.path, "--cache-dir", cache, "--offline"])
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
    }

    @Test func credentialsCertificatesAndRedirectsComeFromHelmsRepositoryConfigAndNeverShow() throws {
        let redis = GitopsProcessTests.repositoryRoot + "/charts/redis"
        let scratch = try ScratchEnvironments()
        defer { scratch.remove() }
        let cache = scratch.path + "/.cache"
        let config = scratch.path + "/.repositories.yaml"
        func lock(_ repository: LocalHelmRepository, _ entry: String?) throws -> GitopsRun {
            try scratch.writeEnvironment(releases: """
                    - name: redis
                      chart: {repository: "\(repository.url)", name: redis, version: "1.0.0"}
                """)
            try "apiVersion: \"\"\nrepositories:\n\(entry ?? "")\n".write(toFile: config, atomically: true, encoding: .utf8)
            try? FileManager.default.removeItem(atPath: cache)
            return try GitopsRun(["chart", "lock", "dev", "--repo", scratch.path, "--cache-dir", cache, "--repository-config", config])
        }
        // Basic authentication, archives behind a redirect.
        let basic = try LocalHelmRepository(chart: redis, versions: ["1.0.0"], security: .init(user: "alice", password: "pa55-w0rd"), urlPrefix: "r/")
        defer { basic.stop() }
        let refused = try lock(basic, nil)
        #expect(refused.status == 2 && refused.stderr.contains("the server refused access (HTTP 401)"), "\(refused.stderr)")
        let withLogin = try lock(basic, "- name: mine\n  url: \(basic.url)\n  username: alice\n  password: pa55-w0rd")
        #expect(withLogin.status == 0 && withLogin.stdout.contains("redis: redis 1.0.0 → 1.0.0 sha256:"), "\(withLogin.stderr)")
        let wrong = try lock(basic, "- name: mine\n  url: \(basic.url)\n  username: alice\n  password: not-it")
        #expect(wrong.status == 2 && !(wrong.stdout + wrong.stderr).contains("not-it") && !(wrong.stdout + wrong.stderr).contains("pa55"), "\(wrong.stderr)")
        // A bearer token (gitops' `token` field in Helm's file).
        let bearer = try LocalHelmRepository(chart: redis, versions: ["1.0.0"], security: .init(token: "t0ken-xyz"))
        defer { bearer.stop() }
        let withToken = try lock(bearer, "- name: tokened\n  url: \(bearer.url)\n  token: t0ken-xyz")
        #expect(withToken.status == 0 && !withToken.stdout.contains("t0ken"), "\(withToken.stderr)")
        // HTTPS from a private CA that wants a client certificate.
        let mutual = try LocalHelmRepository(chart: redis, versions: ["1.0.0"], security: .init(tls: true, clientCertificates: true))
        defer { mutual.stop() }
        let untrusted = try lock(mutual, nil)
        #expect(untrusted.status == 2 && untrusted.stderr.contains("TLS: the server's certificate is not trusted"), "\(untrusted.stderr)")
        let noClientCertificate = try lock(mutual, "- name: private\n  url: \(mutual.url)\n  caFile: \(mutual.pki)/ca.pem")
        #expect(noClientCertificate.status == 2 && noClientCertificate.stderr.contains("TLS: the server wants a client certificate"), "\(noClientCertificate.stderr)")
        let trusted = try lock(mutual, "- name: private\n  url: \(mutual.url)\n  caFile: \(mutual.pki)/ca.pem\n  certFile: \(mutual.pki)/client.pem\n  keyFile: \(mutual.pki)/client.key")
        #expect(trusted.status == 0 && trusted.stdout.contains("sha256:"), "\(trusted.stderr)")
    }

    @Test func processesFillingTheCacheAtOnceNeverSeeHalfAnArchive() throws {
        let repository = try LocalHelmRepository(chart: GitopsProcessTests.repositoryRoot + "/charts/redis", versions: ["1.0.0"])
        defer { repository.stop() }
        let scratch = try ScratchEnvironments()
        defer { scratch.remove() }
        for round in 0..<5 {
            let cache = scratch.path + "/.cache-\(round)"
            // Four processes pull the same chart into the same empty cache at once.
            let processes = try (0..<4).map { index -> (Process, Pipe) in
                let process = Process()
                process.executableURL = GitopsRun.executable
                process.arguments = ["chart", "pull", "redis", "--repo", repository.url, "--cache-dir", cache, "-d", scratch.path + "/.out-\(round)-\(index)"]
                let err = Pipe()
                process.standardOutput = FileHandle.nullDevice
                process.standardError = err
                try process.run()
                return (process, err)
            }
            for (process, err) in processes {
                let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                #expect(process.terminationStatus == 0, "\(stderr)")
            }
            let files = try FileManager.default.contentsOfDirectory(atPath: cache + "/sha256")
            #expect(files.count == 1 && files[0].hasSuffix(".tgz"), "one archive, no partial file left: \(files)")
            let digest = try LocalHelmRepository.sh("sha256sum '\(cache)/sha256/\(files[0])' | cut -d' ' -f1").trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(files[0] == digest + ".tgz")
            // Every process wrote the whole archive.
            for index in 0..<4 {
                let written = try LocalHelmRepository.sh("sha256sum '\(scratch.path)/.out-\(round)-\(index)/redis-1.0.0.tgz' | cut -d' ' -f1").trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(written == digest)
            }
        }
    }
}
