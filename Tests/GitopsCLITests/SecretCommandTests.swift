import Cluster
import Foundation
import KubeModel
import KubeTestServer
import Testing
import TestSupport

/// SOPS-encrypted files end to end: `gitops secret` writes them (recipients from .sops.yaml),
/// render, validate and sync read them with the key and without it, and no command prints a
/// plaintext value unless asked to.
@Suite(.serialized) struct SecretCommandTests {
    static let password = "hunter2-correct-horse"
    static let token = "tok-9f8e7d6c5b4a"

    /// A scratch repository whose dev environment has a Secret in its plain manifests, a key file
    /// and a .sops.yaml creating Kubernetes-style SOPS files for it.
    struct Setup {
        let scratch: ScratchEnvironments
        let keyFile: String
        let recipient: String
        var key: [String: String] { ["SOPS_AGE_KEY_FILE": keyFile, "HOME": scratch.path + "/.home"] }
        var noKey: [String: String] { ["HOME": scratch.path + "/.home", "XDG_CONFIG_HOME": scratch.path + "/.home"] }
        let secret = "environments/dev/platform/secret.yaml"

        init() throws {
            scratch = try ScratchEnvironments()
            keyFile = scratch.path + "/.key.txt"
            try FileManager.default.createDirectory(atPath: scratch.path + "/.home", withIntermediateDirectories: true)
            let keygen = try GitopsRun(["secret", "keygen", "-o", keyFile])
            recipient = keygen.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            try scratch.write(".sops.yaml", """
                creation_rules:
                  - path_regex: environments/.*/secret\\.yaml$
                    age: \(recipient)
                    encrypted_regex: ^(data|stringData)$

                """)
            try scratch.write(secret, """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: blog-database
                  # rotated by hand; see docs/operations.md
                type: Opaque
                stringData:
                  username: blog
                  password: \(SecretCommandTests.password)
                  token: \(SecretCommandTests.token)

                """)
        }

        func run(_ arguments: [String], key withKey: Bool = true, extra: [String: String] = [:]) throws -> GitopsRun {
            try GitopsRun(arguments, in: scratch.path, environment: (withKey ? key : noKey).merging(extra) { $1 })
        }
    }

    static func leaks(_ run: GitopsRun) -> Bool {
        (run.stdout + run.stderr).contains(password) || (run.stdout + run.stderr).contains(token)
            || (run.stdout + run.stderr).contains(Data(password.utf8).base64EncodedString())
    }

    @Test func encryptedSecretsRenderValidateAndNeverPrint() throws {
        let setup = try Setup()
        defer { setup.scratch.remove() }
        let encrypted = try setup.run(["secret", "encrypt", setup.secret])
        #expect(encrypted.status == 0 && encrypted.stderr.contains("encrypted \(setup.secret) for \(setup.recipient)"), "\(encrypted.stderr)")
        let text = try String(contentsOfFile: setup.scratch.path + "/" + setup.secret, encoding: .utf8)
        #expect(!text.contains(Self.password) && text.contains("password: ENC[AES256_GCM") && text.contains("name: blog-database")
                && text.contains("# rotated by hand") && text.contains("encrypted_regex: ^(data|stringData)$"), "\(text)")
        if SecretsToolCheck.sops {
            let sops = try TestProcess.output(["sh", "-c", "SOPS_AGE_KEY_FILE='\(setup.keyFile)' sops decrypt \(setup.secret)"], in: setup.scratch.path)
            #expect(sops.contains("password: \(Self.password)"), "sops reads gitops' file")
        }

        // With the key: rendered, Secret values as digests; --show-secrets shows them.
        let rendered = try setup.run(["render", "dev", "--repo", setup.scratch.path])
        #expect(rendered.status == 0 && rendered.stdout.contains("kind: Secret") && rendered.stdout.contains("sha256:") && !Self.leaks(rendered), "\(rendered.stdout)\(rendered.stderr)")
        let shown = try setup.run(["render", "dev", "--repo", setup.scratch.path, "--show-secrets"])
        #expect(shown.status == 0 && shown.stdout.contains(Self.password))
        let validated = try setup.run(["validate", "dev", "--repo", setup.scratch.path])
        #expect(!Self.leaks(validated) && !validated.stdout.contains("secret.locked"), "\(validated.stdout)")
        let decrypted = try setup.run(["secret", "decrypt", setup.secret])
        #expect(decrypted.status == 0 && decrypted.stdout.contains("password: \(Self.password)") && !decrypted.stdout.contains("sops:"))

        // Without it: everything else renders, with a warning naming the file and its recipient.
        let locked = try setup.run(["render", "dev", "--repo", setup.scratch.path], key: false)
        #expect(locked.status == 0 && locked.stderr.contains("warning: \(setup.secret) is SOPS-encrypted for \(setup.recipient)") && !Self.leaks(locked),
                "\(locked.stderr)")
        let lockedValidate = try setup.run(["validate", "dev", "--repo", setup.scratch.path], key: false)
        #expect(lockedValidate.stdout.contains("secret.locked") && lockedValidate.stdout.contains(setup.recipient), "\(lockedValidate.stdout)")

        // Tampered: an error naming the file, nothing rendered.
        try setup.scratch.write(setup.secret, text.replacingOccurrences(of: "name: blog-database", with: "name: blog-database2"))
        let tampered = try setup.run(["render", "dev", "--repo", setup.scratch.path])
        #expect(tampered.status == 2 && tampered.stderr.contains(setup.secret) && tampered.stderr.contains("the MAC does not match") && tampered.stdout.isEmpty,
                "\(tampered.stderr)")
    }

    /// Found by the fault tests: with --age given, a .sops.yaml (here the project's own, found from
    /// the current folder) whose rules match other files refused the encryption.
    @Test func ageRecipientsOnTheCommandLineNeedNoMatchingCreationRule() throws {
        let folder = NSTemporaryDirectory() + "gitops-age-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: b}\n".write(toFile: folder + "/s.yaml", atomically: true, encoding: .utf8)
        let encrypted = try GitopsRun(["secret", "encrypt", folder + "/s.yaml", "--age", TestSecrets.recipient], in: GitopsProcessTests.repositoryRoot)
        #expect(encrypted.status == 0, "\(encrypted.stderr)")
        try "apiVersion: v1\nkind: Secret\nmetadata: {name: t}\nstringData: {a: b}\n".write(toFile: folder + "/t.yaml", atomically: true, encoding: .utf8)
        let unmatched = try GitopsRun(["secret", "encrypt", folder + "/t.yaml"], in: GitopsProcessTests.repositoryRoot)
        #expect(unmatched.status != 0 && unmatched.stderr.contains("no creation rule"), "without --age the rule is still needed")
    }

    @Test func editKeepsUnchangedCiphertextsAndRotateChangesTheDataKey() throws {
        let setup = try Setup()
        defer { setup.scratch.remove() }
        _ = try setup.run(["secret", "encrypt", setup.secret])
        let before = try String(contentsOfFile: setup.scratch.path + "/" + setup.secret, encoding: .utf8)
        func line(_ text: String, _ key: String) -> String { text.split(separator: "\n").first { $0.contains("\(key): ENC[") }.map(String.init) ?? "" }
        // The editor changes one value; the temporary plaintext is gone afterwards.
        try FileManager.default.createDirectory(atPath: setup.scratch.path + "/.tmp", withIntermediateDirectories: true)
        let edited = try setup.run(["secret", "edit", setup.secret], extra: ["EDITOR": "sed -i 's/\(Self.token)/tok-new-value-1234/'", "TMPDIR": setup.scratch.path + "/.tmp/"])
        #expect(edited.status == 0, "\(edited.stderr)")
        let after = try String(contentsOfFile: setup.scratch.path + "/" + setup.secret, encoding: .utf8)
        #expect(line(after, "password") == line(before, "password") && line(after, "token") != line(before, "token"), "unchanged values keep their ciphertext")
        #expect(!after.contains("tok-new-value-1234") && !edited.stderr.contains("tok-new-value-1234"))
        #expect((try? FileManager.default.contentsOfDirectory(atPath: setup.scratch.path + "/.tmp"))?.isEmpty ?? true, "no plaintext left behind")
        let decrypted = try setup.run(["secret", "decrypt", setup.secret])
        #expect(decrypted.stdout.contains("token: tok-new-value-1234") && decrypted.stdout.contains("# rotated by hand"))
        // Rotation: a new data key, every ciphertext new, a second recipient added.
        let second = try GitopsRun(["secret", "keygen", "-o", setup.scratch.path + "/.second.txt"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let rotated = try setup.run(["secret", "rotate", setup.secret, "--age", second])
        #expect(rotated.status == 0, "\(rotated.stderr)")
        let third = try String(contentsOfFile: setup.scratch.path + "/" + setup.secret, encoding: .utf8)
        #expect(line(third, "password") != line(after, "password") && third.contains(second) && third.contains(setup.recipient))
        let bySecond = try setup.run(["secret", "decrypt", setup.secret], extra: ["SOPS_AGE_KEY_FILE": setup.scratch.path + "/.second.txt"])
        #expect(bySecond.stdout.contains("password: \(Self.password)"), "\(bySecond.stderr)")
    }

    @Test func aSyncAppliesDecryptedSecretsAndRefusesARevisionItHasNoKeyFor() async throws {
        let setup = try Setup()
        defer { setup.scratch.remove() }
        _ = try setup.run(["secret", "encrypt", setup.secret])
        let server = try KubeTestHTTPSServer()
        defer { server.shutdown() }
        let kubeconfig = setup.scratch.path + "/.kubeconfig"
        try server.kubeconfig().write(toFile: kubeconfig, atomically: true, encoding: .utf8)
        try setup.scratch.writeEnvironment(context: "kube-test-server", releases: """
                - name: platform
                  path: environments/dev/platform
            """)
        let sync = ["sync", "dev", "--once", "--timeout", "5", "--repo", setup.scratch.path, "--kubeconfig", kubeconfig]
        let refused = try setup.run(sync, key: false)
        #expect(refused.status == 1 && refused.stderr.contains("blocked: the job has no key for \(setup.secret)") && !Self.leaks(refused), "\(refused.stderr)")
        let synced = try setup.run(sync)
        #expect(synced.status == 0 && synced.stdout.contains("applied Secret blog-dev/blog-database") && !Self.leaks(synced), "\(synced.stdout)\(synced.stderr)")
        let client = try KubeClient(connection: try KubeConfig.load(explicitPath: kubeconfig).connection())
        let stored = try await client.get(GroupVersionKind(group: "", version: "v1", kind: "Secret"), namespace: "blog-dev", name: "blog-database")
        let data = stored?["data"]?["password"]?.stringValue ?? stored?["stringData"]?["password"]?.stringValue ?? ""
        #expect(data == Data(Self.password.utf8).base64EncodedString() || data == Self.password, "the Secret holds the decrypted value: \(String(describing: stored))")
    }
}

extension SecretCommandTests {
    @Test func promotionsRefuseToCopyEncryptedValues() throws {
        let setup = try Setup()
        defer { setup.scratch.remove() }
        let scratch = setup.scratch
        try LocalHelmRepository.sh("mkdir -p '\(scratch.path)/charts' && cp -R '\(GitopsProcessTests.repositoryRoot)/charts/redis' '\(scratch.path)/charts/redis'")
        for (name, memory) in [("staging", "300mb"), ("production", "200mb")] {
            try scratch.writeEnvironment(name, promotionFrom: name == "production" ? "staging" : nil, releases: """
                    - name: redis
                      chart: charts/redis
                      valuesFiles: [redis.sops.yaml]
                \(name == "production" ? "      promote: [maxMemory]" : "")
                """)
            try scratch.write("environments/\(name)/redis.sops.yaml", "maxMemory: \(memory)\nmaxMemoryPolicy: allkeys-lru\n")
            let encrypted = try setup.run(["secret", "encrypt", "environments/\(name)/redis.sops.yaml", "--age", setup.recipient, "--encrypted-regex", "^maxMemory$"])
            #expect(encrypted.status == 0, "\(encrypted.stderr)")
        }
        try scratch.git("add", "-A")
        try scratch.git("commit", "-q", "-m", "encrypted values")
        let before = try String(contentsOfFile: scratch.path + "/environments/production/redis.sops.yaml", encoding: .utf8)
        let promoted = try setup.run(["promote", "staging", "production", "--repo", scratch.path])
        #expect(promoted.status == 2 && promoted.stderr.contains("is SOPS-encrypted") && promoted.stderr.contains("gitops secret edit"), "\(promoted.stdout)\(promoted.stderr)")
        #expect(try String(contentsOfFile: scratch.path + "/environments/production/redis.sops.yaml", encoding: .utf8) == before)
        #expect(!promoted.stdout.contains("300mb") && !promoted.stderr.contains("300mb"))
    }
}

extension SecretCommandTests {
    /// The other way to keep credentials out of Git: the postgresql chart's ExternalSecret, checked
    /// against the External Secrets Operator's CRD committed in crds/.
    @Test func anExternalSecretIsEmittedOnRequestAndValidatedAgainstItsCRD() throws {
        let scratch = try ScratchEnvironments()
        defer { scratch.remove() }
        try LocalHelmRepository.sh("mkdir -p '\(scratch.path)/charts' '\(scratch.path)/crds' && cp -R '\(GitopsProcessTests.repositoryRoot)/charts/postgresql' '\(scratch.path)/charts/' && cp '\(GitopsProcessTests.repositoryRoot)/crds/external-secrets.io.yaml' '\(scratch.path)/crds/'")
        try scratch.write("gitops.yaml", "apiVersion: gitops/v1alpha1\nkind: Repository\nspec:\n  validation:\n    crds: [crds]\n")
        func validate(_ store: String) throws -> GitopsRun {
            try scratch.writeEnvironment(releases: """
                    - name: postgresql
                      chart: charts/postgresql
                      values:
                        externalSecret: {enabled: true, secretStore: \(store)}
                """)
            return try GitopsRun(["validate", "dev", "--strict", "--repo", scratch.path])
        }
        let good = try validate("{name: vault}")
        #expect(good.status == 0 && good.stdout.contains("0 errors"), "\(good.stdout)\(good.stderr)")
        let rendered = try GitopsRun(["render", "dev", "--repo", scratch.path])
        #expect(rendered.stdout.contains("kind: ExternalSecret") && rendered.stdout.contains("key: blog/database") && !rendered.stdout.contains("kind: Secret\n"))
        let bad = try validate("{name: vault, kind: Vault}")
        #expect(bad.status == 1 && bad.stdout.contains("must be one of \"SecretStore\", \"ClusterSecretStore\", not \"Vault\""), "\(bad.stdout)")
        let unnamed = try validate("{kind: ClusterSecretStore}")
        #expect(unnamed.status != 0 && (unnamed.stdout + unnamed.stderr).contains("externalSecret.secretStore.name must name the SecretStore"), "\(unnamed.stdout)\(unnamed.stderr)")
    }
}

enum SecretsToolCheck {
    static let sops: Bool = (try? TestProcess.output(["sh", "-c", "command -v sops"], in: "/")) != nil
}
