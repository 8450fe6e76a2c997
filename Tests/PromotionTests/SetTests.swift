import Basics
import Foundation
import Git
import Testing
import YAML
@testable import Promotion

/// `gitops set`: values written where the environment defines them, typed against what they
/// replace, one branch per change, safe when run twice at once.
@Suite struct SetTests {
    static func set(_ scratch: ScratchRepository, in environment: String = "production", _ assignments: String..., reason: String? = nil) throws -> SetSource {
        SetSource(environment: environment, release: "app", assignments: try assignments.map(ValueAssignment.init(parsing:)), reason: reason)
    }

    static func base(_ scratch: ScratchRepository) throws -> Snapshot {
        let repository = try scratch.repository()
        return try Snapshot(repository: repository, commit: repository.resolveCommit("main").id)
    }

    @Test func valuesAreWrittenWhereTheEnvironmentDefinesThem() throws {
        let scratch = try ScratchRepository()
        defer { scratch.remove() }
        let proposal = try Self.set(scratch, "image.tag=1.4.0", "replicas=4", "log=error", "image.digest=sha256:beef", reason: "build 17").propose(on: Self.base(scratch))
        #expect(proposal.lines == ["app image.tag 1.2.0 → 1.4.0 (environments/production/app.yaml)",
                                   "app replicas 3 → 4 (environments/production/base.yaml)",
                                   "app log warn → error (environments/production/environment.yaml)",
                                   "app image.digest \"\" → sha256:beef (environments/production/base.yaml)",
                                   "why: build 17"], "\(proposal.lines)")
        let app = String(decoding: try #require(proposal.edits["environments/production/app.yaml"] ?? nil), as: UTF8.self)
        #expect(app == "# Pinned; changed by promotions only.\nimage:\n  # the version running\n  tag: \"1.4.0\"   # pinned\n")
        let base = String(decoding: try #require(proposal.edits["environments/production/base.yaml"] ?? nil), as: UTF8.self)
        #expect(base.hasPrefix("# Production sizing; reviewed by the SRE team.\nreplicas: 4 # at least three\n"), "an int stays an int: \(base)")
        #expect(proposal.title == "set production: 4 values of app")
        #expect(proposal.trailers.first { $0.key == "Set-Values" }?.value
                == #"[["image.tag","1.4.0"],["replicas","4"],["log","error"],["image.digest","sha256:beef"]]"#)
    }

    @Test func aValueIsTypedAgainstTheOneItReplaces() throws {
        let tag = try ValueAssignment(parsing: "image.tag=1.10")
        #expect(tag.value(replacing: .string("1.9")) == .string("1.10"))
        #expect(tag.value(replacing: nil) == .string("1.10"), "1.10 would read back as 1.1")
        #expect(try ValueAssignment(parsing: "replicas=3").value(replacing: .int(1)) == .int(3))
        #expect(try ValueAssignment(parsing: "replicas=3").value(replacing: .string("1")) == .string("3"))
        #expect(try ValueAssignment(parsing: "enabled=true").value(replacing: nil) == .bool(true))
        #expect(try ValueAssignment(parsing: "ratio=0.5").value(replacing: nil) == .float(0.5))
        #expect(try ValueAssignment(parsing: "x=").value(replacing: nil) == .string(""))
        let kustomize = try ValueAssignment(parsing: "images[name=ghcr.io/me/web].newTag=2.2")
        #expect(kustomize.path.description == "images[name=ghcr.io/me/web].newTag" && kustomize.text == "2.2")
        #expect(try ValueAssignment(parsing: "labels.\"a=b\"=c").text == "c")
        #expect(throws: PromotionError.self) { try ValueAssignment(parsing: "image.tag") }
        #expect(throws: PromotionError.self) { try ValueAssignment(parsing: "image..tag=1") }
    }

    @Test func refusalsNameWhatToDo() throws {
        let scratch = try ScratchRepository()
        defer { scratch.remove() }
        let base = try Self.base(scratch)
        #expect(throws: PromotionError.self) { try Self.set(scratch, "image=1.0").propose(on: base) }
        let unknown = SetSource(environment: "production", release: "nope", assignments: [try ValueAssignment(parsing: "a=1")])
        #expect { try unknown.propose(on: base) } throws: { "\($0)".contains("production has no release 'nope' (it has app)") }
        let noEnvironment = SetSource(environment: "qa", release: "app", assignments: [try ValueAssignment(parsing: "a=1")])
        #expect { try noEnvironment.propose(on: base) } throws: { "\($0)".contains("no environment 'qa'") }
        #expect(try Self.set(scratch, "image.tag=1.2.0").propose(on: base).isEmpty, "already set: nothing to change")
    }

    @Test func kustomizeImagesEntriesAreSetInPlace() throws {
        let scratch = try ScratchRepository()
        defer { scratch.remove() }
        try scratch.write("kustomize/dev/kustomization.yaml", "resources: []\nimages:\n  - name: ghcr.io/me/web\n    newTag: \"2.0\"   # from CI\n")
        try scratch.write("environments/dev/environment.yaml", """
            apiVersion: gitops/v1alpha1
            kind: Environment
            metadata: {name: dev}
            spec:
              namespace: app-dev
              releases:
                - name: app
                  kustomize: kustomize/dev

            """)
        try scratch.commitAll("dev")
        let proposal = try Self.set(scratch, in: "dev", "images[name=ghcr.io/me/web].newTag=2.10").propose(on: Self.base(scratch))
        let edited = String(decoding: try #require(proposal.edits["kustomize/dev/kustomization.yaml"] ?? nil), as: UTF8.self)
        #expect(edited == "resources: []\nimages:\n  - name: ghcr.io/me/web\n    newTag: \"2.10\"   # from CI\n", "\(edited)")
        #expect { try Self.set(scratch, in: "dev", "images[name=other].newTag=1").propose(on: Self.base(scratch)) }
            throws: { "\($0)".contains("has no images[name=other] entry; add one") }
    }

    @Test func setIsIdempotentAndSafeWhenRunTwiceAtOnce() async throws {
        let scratch = try ScratchRepository()
        defer { scratch.remove() }
        let source = try Self.set(scratch, "image.tag=1.5.0")
        // Eight merges of the same change at once: one branch, one change, one merge commit.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let workflow = try scratch.workflow()
                    switch try workflow.merge(source, base: "main", gate: PromotionTests.passing) {
                    case .merged, .alreadyMerged: break
                    case .gateFailed: Issue.record("the gate passes")
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try scratch.git("rev-list", "--merges", "--count", "main") == "1")
        #expect(try scratch.git("branch", "--list", "set/*") == "set/production/app-\(source.id)")
        #expect(try scratch.git("show", "main:environments/production/app.yaml").contains("tag: \"1.5.0\"   # pinned"))
        // Once more: nothing to change, nothing written.
        let before = try scratch.git("rev-parse", "main")
        #expect(try scratch.workflow().open(source, base: "main") == nil)
        #expect(try scratch.git("rev-parse", "main") == before)
        // The branch's trailers make the same change again (gitops merge BRANCH).
        let again = try scratch.workflow().source(ofBranch: "set/production/app-\(source.id)") as? SetSource
        #expect(again?.assignments == source.assignments && again?.release == "app")
    }
}
