import Foundation
import Testing

/// Chart.yaml dependencies from a Helm repository, an OCI registry and a folder, locked by gitops
/// and by Helm's SDK: the locks agree, and the renders are byte-identical template by template.
@Suite(.serialized) struct ChartDependencyTests {
    /// A chart with three dependencies: redis from `repository` (a range, a condition), postgresql
    /// from `registry` (an alias) and a local library-style chart (`file://`).
    static func parent(in folder: String, repository: String, registry: String) throws -> String {
        let root = folder + "/parent"
        try FileManager.default.createDirectory(atPath: root + "/templates", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/local/templates", withIntermediateDirectories: true)
        try """
            apiVersion: v2
            name: parent
            version: 0.3.0
            dependencies:
              - name: redis
                version: ">=1.0.0 <2.0.0"
                repository: \(repository)
                condition: redis.enabled
              - name: postgresql
                alias: database
                version: "~1.0"
                repository: oci://\(registry)/charts
                tags: [data]
              - name: local
                version: "0.1.0"
                repository: file://../local

            """.write(toFile: root + "/Chart.yaml", atomically: true, encoding: .utf8)
        try "redis:\n  maxMemory: 64mb\ndatabase: {}\n".write(toFile: root + "/values.yaml", atomically: true, encoding: .utf8)
        try "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-parent\ndata:\n  redis: {{ .Values.redis.maxMemory | quote }}\n"
            .write(toFile: root + "/templates/config.yaml", atomically: true, encoding: .utf8)
        try "apiVersion: v2\nname: local\nversion: 0.1.0\n".write(toFile: folder + "/local/Chart.yaml", atomically: true, encoding: .utf8)
        try "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-local\n"
            .write(toFile: folder + "/local/templates/local.yaml", atomically: true, encoding: .utf8)
        return root
    }

    @Test func dependenciesLockedByGitopsAgreeWithHelmAndRenderByteForByte() throws {
        guard (try? LocalHelmRepository.sh("python3 -c 'import helm_python'")) != nil else {
            print("skipped the comparison with Helm's dependency update: Helm's SDK (pip install helm-python-sdk) is not installed")
            return
        }
        let repository = try LocalHelmRepository(chart: GitopsProcessTests.repositoryRoot + "/charts/redis", versions: ["1.0.0", "1.1.0", "2.0.0"])
        defer { repository.stop() }
        let registry = try LocalRegistry(tokenAuth: false)
        defer { registry.stop() }
        let scratch = try ScratchEnvironments()
        defer { scratch.remove() }
        let cache = scratch.path + "/.cache"
        for version in ["1.0.0", "1.0.3", "1.1.0"] {
            let folder = scratch.path + "/.pg-\(version)"
            try LocalHelmRepository.sh("mkdir -p '\(folder)' && cp -R '\(GitopsProcessTests.repositoryRoot)/charts/postgresql' '\(folder)/postgresql' && sed -i 's/^version: .*/version: \(version)/' '\(folder)/postgresql/Chart.yaml'")
            let pushed = try GitopsRun(["chart", "push", folder + "/postgresql", "oci://\(registry.host)/charts", "--plain-http", "--cache-dir", cache])
            #expect(pushed.status == 0, "\(pushed.stderr)")
        }
        let ours = try Self.parent(in: scratch.path + "/gitops", repository: repository.url, registry: registry.host)
        let helms = try Self.parent(in: scratch.path + "/helm", repository: repository.url, registry: registry.host)

        let locked = try GitopsRun(["chart", "lock", ours, "--plain-http", "--cache-dir", cache])
        #expect(locked.status == 0 && locked.stdout.contains("redis: 1.1.0 from \(repository.url) sha256:")
                && locked.stdout.contains("postgresql: 1.0.3 from oci://\(registry.host)/charts sha256:") && locked.stdout.contains("local: 0.1.0 from file://../local"),
                "\(locked.stdout)\(locked.stderr)")
        try LocalHelmRepository.sh("cd '\(helms)' && python3 -c 'import helm_python as h; h.dependency_update(\".\", plain_http=True)'")
        let gitopsLock = try String(contentsOfFile: ours + "/Chart.lock", encoding: .utf8)
        let helmLock = try String(contentsOfFile: helms + "/Chart.lock", encoding: .utf8)
        func digest(_ lock: String) -> String? { lock.split(separator: "\n").first { $0.hasPrefix("digest: ") }.map(String.init) }
        func versions(_ lock: String) -> [String] { lock.split(separator: "\n").filter { $0.contains("version: ") }.map { $0.trimmingCharacters(in: .whitespaces) } }
        #expect(digest(gitopsLock) != nil && digest(gitopsLock) == digest(helmLock), "gitops:\n\(gitopsLock)\nhelm:\n\(helmLock)")
        #expect(versions(gitopsLock) == versions(helmLock))
        // gitops' archive digests are those of the archives Helm downloaded into charts/.
        for archive in ["redis-1.1.0.tgz", "postgresql-1.0.3.tgz"] {
            let sum = try LocalHelmRepository.sh("sha256sum '\(helms)/charts/\(archive)' | cut -d' ' -f1").trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(gitopsLock.contains("archiveDigest: sha256:" + sum), "\(archive)")
        }
        // Helm reads gitops' lock as its own: `helm dependency build` accepts it.
        try LocalHelmRepository.sh("cp '\(ours)/Chart.lock' '\(helms)/Chart.lock' && rm -rf '\(helms)/charts' && cd '\(helms)' && python3 -c 'import helm_python as h; h.dependency_build(\".\", plain_http=True)'")

        // The registry and repository gone: gitops renders from the cache what Helm renders from charts/.
        repository.stop()
        registry.stop()
        let rendered = try GitopsRun(["chart", "template", ours, "--output", "json", "--offline", "--cache-dir", cache])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        let helm = try LocalHelmRepository.sh("cd '\(helms)' && python3 -c 'import helm_python as h, json; print(json.dumps(h.Chart.load(\".\").render({}, name=\"release-name\", namespace=\"default\")))'")
        let ourTemplates = try JSONSerialization.jsonObject(with: Data(rendered.stdout.utf8)) as? [String: String] ?? [:]
        let helmTemplates = try JSONSerialization.jsonObject(with: Data(helm.utf8)) as? [String: String] ?? [:]
        #expect(!ourTemplates.isEmpty && ourTemplates == helmTemplates,
                "differ: \(Set(ourTemplates.keys).symmetricDifference(helmTemplates.keys)) \(ourTemplates.filter { helmTemplates[$0.key] != $0.value }.keys)")
        #expect(ourTemplates.keys.contains("parent/charts/database/templates/postgresql.yaml") || ourTemplates.keys.contains { $0.hasPrefix("parent/charts/database/") })

        // Chart.yaml edited without locking again: the lock is out of sync, said at Chart.lock.
        try LocalHelmRepository.sh("sed -i 's/~1.0/~1.1/' '\(ours)/Chart.yaml'")
        let stale = try GitopsRun(["chart", "template", ours, "--offline", "--cache-dir", cache])
        #expect(stale.status == 2 && stale.stderr.contains("Chart.lock:1:1") && stale.stderr.contains("out of sync with the dependencies file (Chart.yaml)"), "\(stale.stderr)")
    }

    @Test func aLockWrittenByHelmIsHonouredAndAMissingArchiveIsNamedOffline() throws {
        let repository = try LocalHelmRepository(chart: GitopsProcessTests.repositoryRoot + "/charts/redis", versions: ["1.0.0", "1.1.0"])
        defer { repository.stop() }
        let scratch = try ScratchEnvironments()
        defer { scratch.remove() }
        let chart = scratch.path + "/charts/app"
        try FileManager.default.createDirectory(atPath: chart + "/templates", withIntermediateDirectories: true)
        try "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: redis\n    version: ^1.0.0\n    repository: \(repository.url)\n"
            .write(toFile: chart + "/Chart.yaml", atomically: true, encoding: .utf8)
        // A lock as Helm writes it: versions, no archive digests (its digest from Helm's HashReq).
        let requested = #"[{"name":"redis","version":"^1.0.0","repository":"\#(repository.url)"}]"#
        let lockedJSON = #"[{"name":"redis","version":"1.0.0","repository":"\#(repository.url)"}]"#
        let digest = try LocalHelmRepository.sh("printf '%s' '[\(requested),\(lockedJSON)]' | sha256sum | cut -d' ' -f1").trimmingCharacters(in: .whitespacesAndNewlines)
        try "dependencies:\n- name: redis\n  repository: \(repository.url)\n  version: 1.0.0\ndigest: sha256:\(digest)\ngenerated: \"2026-01-01T00:00:00Z\"\n"
            .write(toFile: chart + "/Chart.lock", atomically: true, encoding: .utf8)
        try scratch.writeEnvironment(releases: """
                - name: app
                  chart: charts/app
            """)
        let cache = scratch.path + "/.cache"
        let offline = try GitopsRun(["render", "dev", "--repo", scratch.path, "--cache-dir", cache, "--offline"])
        #expect(offline.status == 2 && offline.stderr.contains("dependency 'redis' 1.0.0 from \(repository.url), pinned by charts/app/Chart.lock, is not in the chart cache"), "\(offline.stderr)")
        // Online: the pinned version (not the newest the range admits), checked against the index.
        let online = try GitopsRun(["render", "dev", "--repo", scratch.path, "--cache-dir", cache])
        #expect(online.status == 0 && online.stdout.contains("app.kubernetes.io/name: redis"), "\(online.stderr)")
        repository.stop()
        let again = try GitopsRun(["render", "dev", "--repo", scratch.path, "--cache-dir", cache, "--offline"])
        #expect(again.status == 0 && again.stdout == online.stdout, "\(again.stderr)")
    }
}
