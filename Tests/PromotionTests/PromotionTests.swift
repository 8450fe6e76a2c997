import Basics
import Foundation
import Gates
import Git
import Testing
import TestSupport
import Validation
@testable import Promotion

/// A scratch environments repository: a chart, staging and production, values files full of comments.
struct ScratchRepository {
    let path = NSTemporaryDirectory() + "gitops-promotion-" + UUID().uuidString
    let author = Signature(name: "Pat", email: "pat@example.com")

    init() throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try git("init", "-q", "-b", "main")
        try git("config", "user.name", "Pat")
        try git("config", "user.email", "pat@example.com")
        try write("gitops.yaml", "apiVersion: gitops/v1alpha1\nkind: Repository\n")
        try write("charts/app/Chart.yaml", "apiVersion: v2\nname: app\nversion: 1.0.0\n")
        try write("charts/app/values.yaml", "image:\n  tag: \"1.0.0\"\n  digest: \"\"\nreplicas: 1\nlog: info\n")
        try write("charts/app/templates/config.yaml", """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: app}
            data:
              image: "{{ .Values.image.tag }}@{{ .Values.image.digest }}"
              replicas: "{{ .Values.replicas }}"
              log: {{ .Values.log | quote }}

            """)
        for (name, extra) in [("staging", ""), ("production", "      values:\n        log: warn   # production is quieter\n")] {
            try write("environments/\(name)/environment.yaml", """
                apiVersion: gitops/v1alpha1
                kind: Environment
                metadata: {name: \(name)}
                spec:
                  namespace: app-\(name)
                  releases:
                    - name: app
                      chart: charts/app
                      valuesFiles: [base.yaml, app.yaml]
                      promote: [image.tag, image.digest, replicas, log]
                \(extra)
                """)
        }
        try write("environments/staging/base.yaml", "# staging defaults\nreplicas: 2\n")
        try write("environments/staging/app.yaml", "image:\n  tag: '1.3.0'   # the candidate\n  digest: sha256:abc\nlog: debug\n")
        try write("environments/production/base.yaml", "# Production sizing; reviewed by the SRE team.\nreplicas: 3 # at least three\n\n# end\n")
        try write("environments/production/app.yaml", "# Pinned; changed by promotions only.\nimage:\n  # the version running\n  tag: \"1.2.0\"   # pinned\n")
        try commitAll("initial")
    }

    func write(_ relative: String, _ text: String) throws {
        let url = URL(fileURLWithPath: path + "/" + relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func read(_ relative: String) throws -> String { try String(contentsOfFile: path + "/" + relative, encoding: .utf8) }

    @discardableResult
    func git(_ arguments: String...) throws -> String {
        try TestProcess.output(["git", "-C", path] + arguments)
    }

    func commitAll(_ message: String) throws {
        try git("add", "-A")
        try git("commit", "-q", "-m", message)
    }

    func repository() throws -> Repository { try Repository(discoveringFrom: path) }

    func workflow() throws -> Workflow { Workflow(repository: try repository(), author: author, committer: author) }

    func promotion(releases: [String]? = nil, from source: String = "staging", into target: String = "production",
                   force: Bool = false) throws -> PromotionSource {
        let repository = try repository()
        return PromotionSource(source: source, target: target,
                               sourceSnapshot: try Snapshot(repository: repository, commit: repository.resolveCommit("main").id),
                               releases: releases, force: force)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

@Suite struct PromotionTests {
    static func passing(_ snapshot: Snapshot) throws -> CheckReport { CheckReport(environments: 1, objects: 1, findings: []) }

    @Test func planEditsOnlyThePromotedScalarsWhereTheyAreDefined() throws {
        let scratch = try ScratchRepository()
        defer { scratch.remove() }
        let repository = try scratch.repository()
        let base = try Snapshot(repository: repository, commit: repository.resolveCommit("main").id)
        let plan = try scratch.promotion().plan(on: base)
        #expect(plan.changes.map(\.summary) == ["app image.tag 1.2.0 → 1.3.0", "app image.digest \"\" → sha256:abc",
                                                "app replicas 3 → 2", "app log warn → debug"], "\(plan.changes.map(\.summary))")
        // Each edit goes where production's value is defined: the tag in app.yaml, replicas in base.yaml,
        // log in the inline values; the digest, which production sets nowhere, into its first values file.
        #expect(plan.changes.map(\.file) == ["environments/production/app.yaml", "environments/production/base.yaml",
                                             "environments/production/base.yaml", "environments/production/environment.yaml"])
        let app = String(decoding: try #require(plan.edits["environments/production/app.yaml"]), as: UTF8.self)
        #expect(app == "# Pinned; changed by promotions only.\nimage:\n  # the version running\n  tag: \"1.3.0\"   # pinned\n", "\(app)")
        let base_ = String(decoding: try #require(plan.edits["environments/production/base.yaml"]), as: UTF8.self)
        #expect(base_ == "# Production sizing; reviewed by the SRE team.\nreplicas: 2 # at least three\nimage:\n  digest: sha256:abc\n\n# end\n", "\(base_)")
        let environment = String(decoding: try #require(plan.edits["environments/production/environment.yaml"]), as: UTF8.self)
        #expect(environment.contains("        log: debug   # production is quieter\n"), "\(environment)")
        #expect(plan.title == "promote staging → production: 4 values of app")
    }

    @Test func kustomizeReleasesPromoteTheirImagesAndReplicasEntries() throws {
        let scratch = try ScratchRepository()
        defer { scratch.remove() }
        try scratch.write("kustomize/base/kustomization.yaml", "resources: [web.yaml]\n")
        try scratch.write("kustomize/base/web.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              template:
                spec:
                  containers: [{name: web, image: ghcr.io/me/web:1.0}]

            """)
        try scratch.write("kustomize/staging/kustomization.yaml", """
            resources: [../base]
            images:
            - name: ghcr.io/me/web
              newTag: "2.1"
              digest: sha256:feed
            replicas:
            - name: web
              count: 2

            """)
        try scratch.write("kustomize/production/kustomization.yaml", """
            # Production: changed by promotions only.
            resources: [../base]
            images:
              - name: ghcr.io/me/web
                newTag: "2.0"   # running now
            replicas:
              - name: web
                count: 5   # more than staging, on purpose

            """)
        for name in ["staging", "production"] {
            try scratch.write("environments/\(name)/environment.yaml", """
                apiVersion: gitops/v1alpha1
                kind: Environment
                metadata: {name: \(name)}
                spec:
                  namespace: app-\(name)
                  releases:
                    - name: web
                      kustomize: kustomize/\(name)
                      promote: ["images[name=ghcr.io/me/web].newTag", "images[name=ghcr.io/me/web].digest"]

                """)
        }
        try scratch.commitAll("kustomize releases")
        let repository = try scratch.repository()
        let base = try Snapshot(repository: repository, commit: repository.resolveCommit("main").id)
        let plan = try scratch.promotion().plan(on: base)
        #expect(plan.changes.map(\.summary) == ["web images[name=ghcr.io/me/web].newTag 2.0 → 2.1",
                                                "web images[name=ghcr.io/me/web].digest (unset) → sha256:feed"], "\(plan.changes.map(\.summary))")
        let edited = String(decoding: try #require(plan.edits["kustomize/production/kustomization.yaml"]), as: UTF8.self)
        // In place, comments and the replicas production keeps untouched; the missing digest added under its entry.
        #expect(edited == """
            # Production: changed by promotions only.
            resources: [../base]
            images:
              - name: ghcr.io/me/web
                newTag: "2.1"   # running now
                digest: sha256:feed
            replicas:
              - name: web
                count: 5   # more than staging, on purpose

            """, "\(edited)")
    }

    @Test func promotionsFollowTheDeclaredOrderUnlessForced() throws {
        let scratch = try ScratchRepository()
        defer { scratch.remove() }
        // dev → staging → production, declared by gitops.yaml's order and production's promotion.from.
        try scratch.write("gitops.yaml", "apiVersion: gitops/v1alpha1\nkind: Repository\nspec:\n  promotion:\n    order: [dev, staging, production]\n")
        let staging = try scratch.read("environments/staging/environment.yaml")
        try scratch.write("environments/dev/environment.yaml", staging.replacingOccurrences(of: "staging", with: "dev"))
        try scratch.write("environments/dev/base.yaml", "replicas: 1\n")
        try scratch.write("environments/dev/app.yaml", "image:\n  tag: '1.4.0-rc1'\n")
        try scratch.write("environments/production/environment.yaml",
                          try scratch.read("environments/production/environment.yaml").replacingOccurrences(of: "  releases:", with: "  promotion: {from: staging}\n  releases:"))
        try scratch.commitAll("dev")
        let workflow = try scratch.workflow()

        let skipping = #expect(throws: PromotionError.self) { try workflow.open(scratch.promotion(from: "dev"), base: "main") }
        #expect(skipping?.description == "production promotes from staging (spec.promotion.from in environments/production/environment.yaml), not from dev; pass --force to promote dev into production anyway (the commit says so)",
                "\(String(describing: skipping))")
        let backwards = #expect(throws: PromotionError.self) { try workflow.open(scratch.promotion(from: "production", into: "dev"), base: "main") }
        #expect(backwards?.description.hasPrefix("dev comes first in promotion.order (gitops.yaml): nothing promotes into it") == true)
        let upstream = #expect(throws: PromotionError.self) { try workflow.open(scratch.promotion(from: "production", into: "staging"), base: "main") }
        #expect(upstream?.description.hasPrefix("staging promotes from dev (promotion.order in gitops.yaml), not from production") == true)
        #expect(try scratch.repository().branches(prefix: "promote/").isEmpty, "a refused promotion writes nothing")

        // Forced: written, and the commit says why; its branch differs from staging's promotion of the same commit.
        let forced = try #require(try workflow.open(scratch.promotion(from: "dev", force: true), base: "main"))
        let message = try scratch.repository().commitInfo(forced.commit).message
        #expect(message.contains("Promotion-Forced: production promotes from staging (spec.promotion.from in environments/production/environment.yaml), not from dev"), "\(message)")
        let regular = try #require(try workflow.open(scratch.promotion(), base: "main"))
        #expect(forced.branch.hasPrefix("promote/production/from-dev-") && regular.branch.hasPrefix("promote/production/from-staging-")
                && !regular.reused, "\(forced.branch) \(regular.branch)")
        // `gitops merge` of the forced branch reads the force back from its trailer.
        let source = try #require(try workflow.source(ofBranch: forced.branch) as? PromotionSource)
        #expect(source.force && source.source == "dev")
    }

    @Test func idempotentBranchesAndNothingToPromote() throws {
        let scratch = try ScratchRepository()
        defer { scratch.remove() }
        let workflow = try scratch.workflow()
        let first = try #require(try workflow.open(scratch.promotion(releases: ["app"]), base: "main"))
        #expect(!first.reused && first.branch.hasPrefix("promote/production/"))
        let again = try #require(try workflow.open(scratch.promotion(releases: ["app"]), base: "main"))
        #expect(again.reused && again.commit == first.commit && again.branch == first.branch)
        // Staging moves on with an unrelated commit: same values, so the same change and the same branch.
        try scratch.write("environments/staging/notes.txt", "unrelated\n")
        try scratch.commitAll("staging notes")
        let later = try #require(try workflow.open(scratch.promotion(releases: ["app"]), base: "main"))
        #expect(later.branch == first.branch, "one branch per change")
        #expect(try scratch.repository().branches(prefix: "promote/") == [first.branch])
        // The user's working tree and index are untouched.
        #expect(try scratch.git("status", "--porcelain") == "")
        #expect(try scratch.read("environments/production/app.yaml").contains("1.2.0"))

        let merged = try workflow.merge(scratch.promotion(), branch: later.branch, base: "main", gate: Self.passing)
        guard case .merged(let commit, _) = merged else { Issue.record("\(merged)"); return }
        let info = try scratch.repository().commitInfo(commit)
        #expect(info.parents.count == 2 && info.summary.hasPrefix("Merge promotion \(first.proposal.id): promote staging → production"))
        #expect(try scratch.read("environments/production/app.yaml").contains("tag: \"1.3.0\"   # pinned"), "checked-out files follow")
        #expect(try scratch.git("status", "--porcelain") == "")
        #expect(try workflow.open(scratch.promotion(), base: "main") == nil, "nothing to promote")
        #expect(try scratch.git("fsck", "--strict", "--no-dangling").isEmpty)
    }

    @Test func movedBaseIsReplannedAndARealConflictShowsBothValues() throws {
        let scratch = try ScratchRepository()
        defer { scratch.remove() }
        let workflow = try scratch.workflow()
        let opened = try #require(try workflow.open(scratch.promotion(releases: ["app"]), base: "main"))
        // main moves with an unrelated change: the merge re-plans on it.
        try scratch.write("environments/production/extra.yaml", "# unrelated\n")
        try scratch.commitAll("unrelated production note")
        let unrelatedTip = try scratch.git("rev-parse", "main")
        let merged = try workflow.merge(scratch.promotion(releases: ["app"]), branch: opened.branch, base: "main", gate: Self.passing)
        guard case .merged(let commit, let final) = merged else { Issue.record("\(merged)"); return }
        #expect(final.commit != opened.commit && final.baseCommit == unrelatedTip)
        #expect(try scratch.repository().commitInfo(commit).parents == [unrelatedTip, final.commit])

        // A new promotion; meanwhile someone pins production's tag to another value: a conflict.
        try scratch.write("environments/staging/app.yaml", "image:\n  tag: '1.4.0'\n  digest: sha256:abc\nlog: debug\n")
        try scratch.commitAll("staging 1.4.0")
        let next = try #require(try workflow.open(scratch.promotion(releases: ["app"]), base: "main"))
        try scratch.write("environments/production/app.yaml", "# Pinned; changed by promotions only.\nimage:\n  # the version running\n  tag: \"1.3.1\"   # hotfix\n")
        try scratch.commitAll("production hotfix 1.3.1")
        let conflict = #expect(throws: PromotionConflict.self) {
            try workflow.merge(scratch.promotion(releases: ["app"]), branch: next.branch, base: "main", gate: Self.passing)
        }
        #expect(conflict?.description.contains("was 1.3.0 when planned and is now 1.3.1") == true
                && conflict?.description.contains("would set 1.4.0") == true, "\(String(describing: conflict))")
    }

    @Test func aFailedGateLeavesTheBranchAndTheBase() throws {
        let scratch = try ScratchRepository()
        defer { scratch.remove() }
        let workflow = try scratch.workflow()
        let before = try scratch.git("rev-parse", "main")
        let finding = Finding(severity: .error, location: SourceLocation(file: "environments/production/app.yaml", line: 4, column: 8),
                              rule: "images/disallow-latest-tag", message: "pin the image", object: "ConfigMap app-production/app")
        let outcome = try workflow.merge(scratch.promotion(), base: "main") { _ in CheckReport(environments: 1, objects: 1, findings: [finding]) }
        guard case .gateFailed(let report, let opened) = outcome else { Issue.record("\(outcome)"); return }
        #expect(report.errors.first?.rule == "images/disallow-latest-tag")
        #expect(try scratch.git("rev-parse", "main") == before, "nothing merged")
        #expect(try scratch.repository().referenceTarget("refs/heads/" + opened.branch) == opened.commit, "the branch stays for a person to fix")
    }

    @Test func rollbackRestoresTheEnvironmentAndHistoryShowsEachStep() throws {
        let scratch = try ScratchRepository()
        defer { scratch.remove() }
        let workflow = try scratch.workflow()
        guard case .merged = try workflow.merge(scratch.promotion(), base: "main", gate: Self.passing) else { Issue.record("not merged"); return }
        let repository = try scratch.repository()
        let target = try repository.resolveCommit("main~1")
        let rollback = RollbackSource(environment: "production", to: try Snapshot(repository: repository, commit: target.id), toSummary: target.summary)
        guard case .merged(let commit, let opened) = try workflow.merge(rollback, base: "main", gate: Self.passing) else { Issue.record("not merged"); return }
        #expect(opened.branch == "rollback/production/\(target.id.prefix(7))")
        #expect(try scratch.git("diff", "--stat", "main~2", "main", "--", "environments/production").isEmpty, "production is as before the promotion")
        #expect(try scratch.read("environments/production/app.yaml").contains("1.2.0"))
        #expect(try repository.commitInfo(commit).summary.hasPrefix("Merge rollback "))

        let history = try History.of("production", repository: repository, revision: "main", limit: 10)
        #expect(history.map { $0.commit.summary.prefix(15) } == ["Merge rollback ", "Merge promotion", "initial"])
        #expect(history[0].trailers["Rolled-Back-To"] == target.id && history[1].trailers["Promoted-From"]?.hasPrefix("staging@") == true)
        #expect(history[1].objects.map(\.title) == ["v1 ConfigMap app-production/app"] && history[1].objects.first?.action == .update)
        // Staging's history does not show production's promotions.
        #expect(try History.of("staging", repository: repository, revision: "main").map(\.commit.summary) == ["initial"])
    }

    @Test func rollbackRestoresValuesInsideASharedChartAndAcrossMovedFiles() throws {
        let scratch = try ScratchRepository()
        defer { scratch.remove() }
        // The common layout: per-environment values files inside the shared chart.
        try scratch.write("charts/app/values-production.yaml", "image:\n  tag: \"1.2.0\"\n")
        try scratch.write("environments/production/environment.yaml",
                          try scratch.read("environments/production/environment.yaml").replacingOccurrences(of: "valuesFiles: [base.yaml, app.yaml]", with: "valuesFiles: [base.yaml, ../../charts/app/values-production.yaml]"))
        try scratch.commitAll("values in the chart")
        let repository = try scratch.repository()
        let good = try repository.resolveCommit("main")
        // A bad release, a shared template change, then a move of the values file.
        try scratch.write("charts/app/values-production.yaml", "image:\n  tag: \"1.3.0-bad\"\n")
        try scratch.write("charts/app/templates/config.yaml", try scratch.read("charts/app/templates/config.yaml") + "  extra: \"1\"\n")
        try scratch.commitAll("bad release")
        try scratch.git("mv", "charts/app/values-production.yaml", "environments/production/app-values.yaml")
        try scratch.write("environments/production/environment.yaml",
                          try scratch.read("environments/production/environment.yaml").replacingOccurrences(of: "../../charts/app/values-production.yaml", with: "app-values.yaml"))
        try scratch.commitAll("move the values")

        let rollback = RollbackSource(environment: "production", to: try Snapshot(repository: repository, commit: good.id), toSummary: good.summary)
        let proposal = try rollback.propose(on: try Snapshot(repository: repository, commit: repository.resolveCommit("main").id))
        #expect(proposal.edits["charts/app/values-production.yaml"] == .some(Array("image:\n  tag: \"1.2.0\"\n".utf8)), "restored at its old place")
        #expect(proposal.edits["environments/production/app-values.yaml"] == .some(nil), "deleted from its new place")
        #expect(proposal.edits["environments/production/environment.yaml"] != nil)
        #expect(proposal.edits["charts/app/templates/config.yaml"] == nil, "a template staging renders too is not touched")
        #expect(proposal.notes == ["charts/app/templates/config.yaml changed since \(good.id.prefix(7)) but staging also uses it; left alone, so production may not render exactly as it did"],
                "\(proposal.notes)")
    }

    @Test func historySaysInOneLineWhyACommitDoesNotRender() throws {
        let scratch = try ScratchRepository()
        defer { scratch.remove() }
        try scratch.write("environments/production/base.yaml", "replicas: [3\n")
        try scratch.commitAll("broken values")
        try scratch.write("environments/production/environment.yaml", "apiVersion: gitops/v1alpha1\nkind: Environment\nmetadata: {name: production}\nspec: {namespace: x, releases: [{name: a, chart: charts/nope}]}\n")
        try scratch.commitAll("broken environment")
        let history = try History.of("production", repository: try scratch.repository(), revision: "main~1", limit: 5)
        let error = try #require(history.first?.renderError)
        #expect(error.hasPrefix("it does not render: environments/production/base.yaml:2:1: ") && !error.contains("\n"), "\(error)")
        // Its own file broken at the tip: said so, with what to do.
        let broken = #expect(throws: PromotionError.self) { try History.of("production", repository: try scratch.repository(), revision: "main") }
        #expect(broken?.description.hasPrefix("at main, environment 'production' does not load") == true, "\(String(describing: broken))")
    }
}
