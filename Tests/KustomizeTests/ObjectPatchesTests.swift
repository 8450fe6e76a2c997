import Basics
import Kustomize
import Testing
import YAML

/// The API server's strategic merge directives, as kubectl edit and kubectl apply send them
/// (found when kube-test-server first met a real `kubectl edit`).
@Suite struct ObjectPatchesTests {
    /// A Pod (the merge keys come from the kind's schema).
    static func object(_ yaml: String) throws -> ValueObject {
        try #require(try YAML.value("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n" + yaml).objectValue)
    }

    @Test func setElementOrderOrdersTheMergedListAndLeavesNoDirective() throws {
        let target = try Self.object("spec: {containers: [{name: a, image: a:1}, {name: b, image: b:1}]}")
        let patch = try Self.object("""
            spec:
              $setElementOrder/containers: [{name: b}, {name: a}]
              containers: [{name: a, image: a:2}]
            """)
        let merged = try ObjectPatches.strategicMerge(patch, to: target)
        #expect(merged == (try Self.object("spec: {containers: [{name: b, image: b:1}, {name: a, image: a:2}]}")), "\(JSONWriter.compact(.object(merged)))")
    }

    @Test func deleteFromPrimitiveListAndRetainKeys() throws {
        let target = try Self.object("spec: {finalizers: [x, y, z], strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1}}}")
        let patch = try Self.object("""
            spec:
              $deleteFromPrimitiveList/finalizers: [y]
              strategy: {$retainKeys: [type], type: Recreate}
            """)
        let merged = try ObjectPatches.strategicMerge(patch, to: target)
        #expect(merged == (try Self.object("spec: {finalizers: [x, z], strategy: {type: Recreate}}")))
    }

    @Test func directivesInsideListElements() throws {
        let target = try Self.object("spec: {containers: [{name: a, env: [{name: X, value: '1'}, {name: Y, value: '2'}]}]}")
        let patch = try Self.object("""
            spec:
              containers:
                - name: a
                  $setElementOrder/env: [{name: Y}, {name: X}]
            """)
        let merged = try ObjectPatches.strategicMerge(patch, to: target)
        #expect(merged == (try Self.object("spec: {containers: [{name: a, env: [{name: Y, value: '2'}, {name: X, value: '1'}]}]}")), "\(JSONWriter.compact(.object(merged)))")
    }
}
