import Foundation
import KubeTestServer
import Testing
import TestSupport

/// A CNCF distribution registry on 127.0.0.1 (Debian's docker-registry, which the README's set-up
/// installs), started with a generated config; with `tokenAuth`, behind scripts/registry-token-server
/// (the user alice with the password s3cret may push, anonymous users may not even pull).
final class LocalRegistry: @unchecked Sendable {
    let folder = NSTemporaryDirectory() + "gitops-registry-" + UUID().uuidString
    let port = FreePort.next()
    let tokenPort: Int
    private var processes: [Process] = []
    private var commands: [[String]] = []
    private let tokenAuth: Bool
    static let user = "alice", password = "s3cret"

    init(tokenAuth: Bool) throws {
        self.tokenAuth = tokenAuth
        var token = FreePort.next()
        while token == port { token = FreePort.next() }
        tokenPort = token
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var config = """
            version: 0.1
            log: {level: error}
            storage:
              filesystem: {rootdirectory: \(folder)/data}
            http:
              addr: 127.0.0.1:\(port)

            """
        if tokenAuth {
            try LocalHelmRepository.sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout '\(folder)/key.pem' -out '\(folder)/cert.pem' -days 2 -subj /CN=gitops-test-token")
            config += """
                auth:
                  token:
                    realm: http://127.0.0.1:\(tokenPort)/token
                    service: gitops-test
                    issuer: gitops-test-issuer
                    rootcertbundle: \(folder)/cert.pem

                """
            commands.append([GitopsProcessTests.repositoryRoot + "/scripts/registry-token-server", "--port", String(tokenPort),
                             "--key", folder + "/key.pem", "--cert", folder + "/cert.pem", "--issuer", "gitops-test-issuer",
                             "--user", Self.user, "--password", Self.password])
        }
        try config.write(toFile: folder + "/config.yml", atomically: true, encoding: .utf8)
        let registry = ["/usr/bin/docker-registry", "/usr/bin/registry"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let registry else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "docker-registry is not installed: run scripts/setup (apt-get install docker-registry)"])
        }
        commands.append([registry, "serve", folder + "/config.yml"])
        try resume()
    }

    /// Starts the registry (again, after `pause`: same port, same content) and waits until it answers.
    func resume() throws {
        processes = try commands.map(Self.start)
        // Ready when both ports accept connections (a loaded machine may take seconds).
        let deadline = Date().addingTimeInterval(30)
        while !(PushTests.Daemon.accepts(port) && (!tokenAuth || PushTests.Daemon.accepts(tokenPort))) {
            guard processes.allSatisfy(\.isRunning), Date() < deadline else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "the registry or its token service did not start (ports \(port), \(tokenPort))"])
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    static func start(_ command: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    var host: String { "127.0.0.1:\(port)" }

    /// The credentials as environment variables for gitops.
    static var login: [String: String] { ["GITOPS_REGISTRY_USERNAME": user, "GITOPS_REGISTRY_PASSWORD": password] }

    /// Stops the registry, keeping what it holds.
    func pause() {
        for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for process in processes { process.waitUntilExit() }
    }

    func stop() {
        pause()
        try? FileManager.default.removeItem(atPath: folder)
    }
}

@Suite(.serialized) struct OCIRegistryTests {
    static let redis = GitopsProcessTests.repositoryRoot + "/charts/redis"

    /// A copy of the blog's redis chart at `version`, in `folder`.
    static func chart(version: String, in folder: String, memory: String = "128mb") throws -> String {
        let path = folder + "/redis-\(version)/redis"
        try LocalHelmRepository.sh("mkdir -p '\(folder)/redis-\(version)' && cp -R '\(redis)' '\(path)' && sed -i 's/^version: .*/version: \(version)/' '\(path)/Chart.yaml' && sed -i 's/^maxMemory: .*/maxMemory: \(memory)/' '\(path)/values.yaml'")
        return path
    }

    static func objects(_ text: String) -> String { text.split(separator: "\n").filter { !$0.hasPrefix("# Source:") }.joined(separator: "\n") }

    @Test func aChartPushedToATokenAuthenticatedRegistryIsLockedAndRenderedOfflineAsItsFolderRenders() throws {
        let registry = try LocalRegistry(tokenAuth: true)
        defer { registry.stop() }
        let scratch = try ScratchEnvironments()
        defer { scratch.remove() }
        let cache = scratch.path + "/.cache"
        let work = scratch.path + "/.charts"
        // Anonymous users may not push: the error says how to log in and prints no secret.
        let anonymous = try GitopsRun(["chart", "push", try Self.chart(version: "1.0.0", in: work), "oci://\(registry.host)/charts", "--plain-http", "--cache-dir", cache])
        #expect(anonymous.status == 2 && anonymous.stderr.contains("docker login \(registry.host)"), "\(anonymous.stderr)")
        for version in ["1.0.0", "1.4.0", "2.0.0-rc.1"] {
            let pushed = try GitopsRun(["chart", "push", try Self.chart(version: version, in: work, memory: "300mb"), "oci://\(registry.host)/charts", "--plain-http", "--cache-dir", cache],
                                       environment: LocalRegistry.login)
            #expect(pushed.status == 0 && pushed.stdout.contains("pushed oci://\(registry.host)/charts/redis:\(version)"), "\(pushed.stderr)")
            #expect(!(pushed.stdout + pushed.stderr).contains(LocalRegistry.password))
        }
        try scratch.writeEnvironment(releases: """
                - name: redis
                  chart: oci://\(registry.host)/charts/redis
                  version: "^1.0"
                  values: {maxMemory: 200mb}
            """)
        // The login from a docker config.json this time (DOCKER_CONFIG).
        let docker = scratch.path + "/.docker"
        try FileManager.default.createDirectory(atPath: docker, withIntermediateDirectories: true)
        let auth = Data("\(LocalRegistry.user):\(LocalRegistry.password)".utf8).base64EncodedString()
        try #"{"auths": {"\#(registry.host)": {"auth": "\#(auth)"}}}"#.write(toFile: docker + "/config.json", atomically: true, encoding: .utf8)
        let lock = try GitopsRun(["chart", "lock", "dev", "--repo", scratch.path, "--cache-dir", cache, "--plain-http"], environment: ["DOCKER_CONFIG": docker])
        #expect(lock.status == 0 && lock.stdout.contains("redis: redis ^1.0 → 1.4.0 sha256:"), "\(lock.stdout)\(lock.stderr)")
        let lockText = try String(contentsOfFile: scratch.path + "/environments/dev/charts.lock", encoding: .utf8)
        #expect(lockText.contains("repository: oci://\(registry.host)/charts") && lockText.contains("url: oci://\(registry.host)/charts/redis:1.4.0"), "\(lockText)")
        // A fresh cache, fetched by render through the lock; then offline with the registry gone.
        let fresh = scratch.path + "/.fresh"
        let fetched = try GitopsRun(["render", "dev", "--repo", scratch.path, "--cache-dir", fresh, "--plain-http"], environment: ["DOCKER_CONFIG": docker])
        #expect(fetched.status == 0, "\(fetched.stderr)")
        registry.stop()
        let offline = try GitopsRun(["render", "dev", "--repo", scratch.path, "--cache-dir", fresh, "--offline"])
        #expect(offline.status == 0 && offline.stdout == fetched.stdout, "\(offline.stderr)")
        // The same objects as the chart's folder renders.
        let folder = try Self.chart(version: "1.4.0", in: scratch.path + "/charts-copy", memory: "300mb")
        try LocalHelmRepository.sh("mkdir -p '\(scratch.path)/charts' && mv '\(folder)' '\(scratch.path)/charts/redis'")
        try scratch.writeEnvironment(releases: """
                - name: redis
                  chart: charts/redis
                  values: {maxMemory: 200mb}
            """)
        let local = try GitopsRun(["render", "dev", "--repo", scratch.path])
        #expect(Self.objects(offline.stdout) == Self.objects(local.stdout) && local.stdout.contains("200mb"))
    }

    @Test func aMovedTagIsNotFollowedTheLockedDigestRenders() throws {
        let registry = try LocalRegistry(tokenAuth: false)
        defer { registry.stop() }
        let scratch = try ScratchEnvironments()
        defer { scratch.remove() }
        let cache = scratch.path + "/.cache"
        let work = scratch.path + "/.charts"
        _ = try GitopsRun(["chart", "push", try Self.chart(version: "1.0.0", in: work, memory: "100mb"), "oci://\(registry.host)/charts", "--plain-http", "--cache-dir", cache])
        try scratch.writeEnvironment(releases: """
                - name: redis
                  chart: oci://\(registry.host)/charts/redis
                  version: "1.0.0"
            """)
        let lock = try GitopsRun(["chart", "lock", "dev", "--repo", scratch.path, "--cache-dir", cache, "--plain-http"])
        #expect(lock.status == 0, "\(lock.stderr)")
        let before = try GitopsRun(["render", "dev", "--repo", scratch.path, "--cache-dir", cache, "--offline"])
        // Someone pushes other content under the same tag.
        try LocalHelmRepository.sh("rm -rf '\(work)'")
        let moved = try GitopsRun(["chart", "push", try Self.chart(version: "1.0.0", in: work, memory: "700mb"), "oci://\(registry.host)/charts", "--plain-http", "--cache-dir", scratch.path + "/.other"])
        #expect(moved.status == 0, "\(moved.stderr)")
        // An empty cache fetches the pinned digest, not what the tag now names.
        let after = try GitopsRun(["render", "dev", "--repo", scratch.path, "--cache-dir", scratch.path + "/.empty", "--plain-http"])
        #expect(after.status == 0 && after.stdout == before.stdout && !after.stdout.contains("700mb"), "\(after.stderr)")
        // Locking again is how the new content is taken, visibly.
        let relock = try GitopsRun(["chart", "lock", "dev", "--repo", scratch.path, "--cache-dir", cache, "--plain-http"])
        let newer = try GitopsRun(["render", "dev", "--repo", scratch.path, "--cache-dir", cache, "--offline"])
        #expect(relock.status == 0 && newer.stdout.contains("700mb"), "\(relock.stderr)\(newer.stderr)")
    }

    @Test func chartsPushedByHelmPullInGitopsAndChartsPushedByGitopsPullInHelm() throws {
        guard (try? LocalHelmRepository.sh("python3 -c 'import helm_python'")) != nil else {
            print("skipped the Helm SDK registry interoperability test: Helm's SDK (pip install helm-python-sdk) is not installed")
            return
        }
        let registry = try LocalRegistry(tokenAuth: true)
        defer { registry.stop() }
        let scratch = try ScratchEnvironments()
        defer { scratch.remove() }
        let work = scratch.path + "/.charts"
        let helmChart = try Self.chart(version: "3.1.0+build.5", in: work, memory: "400mb")
        // Helm packages, logs in and pushes; gitops pulls by range (the tag is 3.1.0_build.5).
        let script = """
            import helm_python as h, sys
            archive = h.package(sys.argv[1], destination=sys.argv[2])
            with h.RegistryClient(plain_http=True, credentials_file=sys.argv[2] + "/creds.json") as client:
                client.login(sys.argv[3], "\(LocalRegistry.user)", "\(LocalRegistry.password)", insecure=True, plain_http=True)
                h.push(archive, "oci://" + sys.argv[3] + "/helm", client=client, plain_http=True)
                h.pull("oci://" + sys.argv[3] + "/gitops/redis", client=client, version="1.0.0", destination=sys.argv[2] + "/pulled", plain_http=True)
            """
        try script.write(toFile: work + "/helm.py", atomically: true, encoding: .utf8)
        let pushed = try GitopsRun(["chart", "push", try Self.chart(version: "1.0.0", in: work), "oci://\(registry.host)/gitops", "--plain-http",
                                    "--cache-dir", scratch.path + "/.cache"], environment: LocalRegistry.login)
        #expect(pushed.status == 0, "\(pushed.stderr)")
        try LocalHelmRepository.sh("mkdir -p '\(work)/pulled' && python3 '\(work)/helm.py' '\(helmChart)' '\(work)' '\(registry.host)'")
        let pulled = try GitopsRun(["chart", "pull", "oci://\(registry.host)/helm/redis", "--version", "^3", "--untar", "-d", work + "/from-helm",
                                    "--plain-http", "--cache-dir", scratch.path + "/.cache"], environment: LocalRegistry.login)
        #expect(pulled.status == 0 && pulled.stdout.contains("pulled redis 3.1.0+build.5"), "\(pulled.stderr)")
        let values = try String(contentsOfFile: work + "/from-helm/redis/values.yaml", encoding: .utf8)
        #expect(values.contains("maxMemory: 400mb"))
        // Helm pulled exactly the archive gitops pushed.
        let gitopsArchive = try LocalHelmRepository.sh("ls '\(scratch.path)/.cache/sha256'")
        let helmDigest = try LocalHelmRepository.sh("sha256sum '\(work)/pulled/redis-1.0.0.tgz' | cut -d' ' -f1").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(gitopsArchive.contains(helmDigest + ".tgz"), "\(gitopsArchive) vs \(helmDigest)")
    }

    @Test func theSyncJobFetchesWhatTheLockPinsIntoAnEmptyCacheAndApplies() async throws {
        let registry = try LocalRegistry(tokenAuth: true)
        defer { registry.stop() }
        let server = try KubeTestHTTPSServer()
        defer { server.shutdown() }
        let scratch = try ScratchEnvironments()
        defer { scratch.remove() }
        let pushed = try GitopsRun(["chart", "push", try Self.chart(version: "1.0.0", in: scratch.path + "/.charts", memory: "300mb"), "oci://\(registry.host)/charts",
                                    "--plain-http", "--cache-dir", scratch.path + "/.push"], environment: LocalRegistry.login)
        #expect(pushed.status == 0, "\(pushed.stderr)")
        try scratch.writeEnvironment(context: "kube-test-server", releases: """
                - name: redis
                  chart: oci://\(registry.host)/charts/redis
                  version: "1.0.0"
            """)
        let lock = try GitopsRun(["chart", "lock", "dev", "--repo", scratch.path, "--cache-dir", scratch.path + "/.lock", "--plain-http"], environment: LocalRegistry.login)
        #expect(lock.status == 0, "\(lock.stderr)")
        let kubeconfig = scratch.path + "/.kubeconfig"
        try server.kubeconfig().write(toFile: kubeconfig, atomically: true, encoding: .utf8)
        let sync = ["sync", "dev", "--once", "--timeout", "5", "--repo", scratch.path, "--kubeconfig", kubeconfig, "--plain-http", "--cache-dir", scratch.path + "/.job"]
        // Without the job's credentials the fetch fails and nothing is applied.
        let refused = try GitopsRun(sync)
        #expect(refused.status != 0 && refused.stderr.contains("log in with `docker login \(registry.host)`"), "\(refused.stderr)")
        let synced = try GitopsRun(sync, environment: LocalRegistry.login)
        #expect(synced.status == 0 && synced.stdout.contains("applied Deployment blog-dev/"), "\(synced.stdout)\(synced.stderr)")
        #expect(FileManager.default.fileExists(atPath: scratch.path + "/.job/sha256"))
    }
}
