import Basics
import Testing
@testable import Validation

@Suite struct CELTests {
    static let object: Value = try! JSONReader.values(#"""
        {"metadata": {"name": "web", "labels": {"tier": "front"}},
         "spec": {"replicas": 3, "containers": [{"name": "a", "image": "r.io/a:1", "ports": [{"containerPort": 80}]},
                                                {"name": "b", "image": "b:latest", "securityContext": {"privileged": false}}]}}
        """#)[0]

    @Test(arguments: [
        ("object.spec.replicas >= 2 && object.metadata.name == 'web'", "true"),
        ("object.spec.containers.all(c, c.image.contains(':'))", "true"),
        ("object.spec.containers.exists(c, c.image.endsWith(':latest'))", "true"),
        ("object.spec.containers.exists_one(c, c.name == 'a')", "true"),
        ("object.spec.containers.map(c, c.name)", #"["a","b"]"#),
        ("object.spec.containers.filter(c, has(c.securityContext)).map(c, c.name)", #"["b"]"#),
        ("object.spec.containers.map(c, c.name == 'a', c.image)", #"["r.io/a:1"]"#),
        ("object.spec.containers.all(c, c.?securityContext.?privileged.orValue(false) == false)", "true"),
        ("object.metadata.?annotations.orValue({}).size()", "0"),
        ("object.metadata.?labels[?'tier'].hasValue()", "true"),
        ("has(object.spec.volumes) ? 1 : 2", "2"),
        ("'front' in object.metadata.labels.map(k, object.metadata.labels[k])", "true"),
        ("'tier' in object.metadata.labels", "true"),
        ("size(object.spec.containers) * 2 + 1", "5"),
        ("object.spec.containers[0].image.split('/')[0]", #""r.io""#),
        ("object.metadata.name.matches('^w.b$') && object.metadata.name.startsWith('w')", "true"),
        ("!(object.spec.replicas < 2) || object.missing", "true"),
        ("duration('90s') < duration('2m')", "true"),
        ("[1, 2] + [3]", "[1,2,3]"),
        ("'a' + string(1)", #""a1""#),
        (#"r'\d+'.size()"#, "3"),
    ])
    func expression(_ text: String, _ expected: String) throws {
        let result = try CEL(text).evaluate(["object": Self.object])
        #expect(JMESFunctions.compactJSON(result) == expected, "\(text)")
    }

    @Test func errors() {
        #expect(throws: CEL.Failure.self) { try CEL("object.spec.missing == 1").evaluate(["object": Self.object]) }
        #expect(throws: CEL.Failure.self) { try CEL("unknownVariable").evaluate([:]) }
        #expect(throws: CEL.Failure.self) { try CEL("object.spec.nope(").evaluate(["object": Self.object]) }
        #expect(throws: CEL.Failure.self) { try CEL("quantity('1Gi')").evaluate([:]) }
    }

    /// Deep nesting is an error, never a stack overflow (the cel fuzzer's input: `object.m[[[[...`);
    /// nesting as deep as a real policy's reads.
    @Test func deepNestingIsAnErrorNotACrash() throws {
        for text in ["object.m" + String(repeating: "[", count: 2000), String(repeating: "!", count: 3000) + "true",
                     String(repeating: "(", count: 60) + "1" + String(repeating: ")", count: 60)] {
            #expect(throws: CEL.Failure.self) { try CEL(text) }
        }
        let ten = String(repeating: "(", count: 10) + "object.spec.replicas" + String(repeating: ")", count: 10) + " == 3"
        #expect(try CEL(ten).evaluate(["object": Self.object]) == .bool(true))
    }
}
