import Basics
import Charts
import Foundation
import Template
import Testing

@Suite struct HelmBehaviourTests {
    func render(_ text: String, data: TemplateValue = .null) throws -> String {
        var set = TemplateSet(functions: HelmFunctions.all)
        set.now = { Date(timeIntervalSince1970: 0) }
        set.randomSource = .seeded("t")
        set.missingKey = .zero
        try set.parse(name: "t", text: text)
        return try set.execute("t", data: data)
    }

    @Test(arguments: [
        ("{{ mustToDuration 90 }} {{ toDuration \"1h2m\" }} {{ toDuration \"nope\" }}", "1m30s 1h2m0s 0s"),
        ("{{ durationSeconds \"1m30s\" }} {{ durationMinutes \"90s\" }} {{ durationDays 86400 }} {{ durationWeeks \"252h\" }}", "90 1.5 1 1.5"),
        ("{{ durationMilliseconds 1.5 }} {{ durationNanoseconds 2 }}", "1500 2000000000"),
        ("{{ durationRoundTo \"93s\" \"1m\" }} {{ durationTruncateTo 93 60 }} {{ durationRoundTo \"93s\" 0 }}", "2m0s 1m0s 1m33s"),
        ("{{ toYamlPretty (dict \"baz\" (list 1 2)) }}", "baz:\n  - 1\n  - 2"),
        ("{{ toYaml (dict \"a\" \"yes\" \"b\" \"- x\") }}", "a: \"yes\"\nb: '- x'"),
        ("{{ toToml (dict \"name\" \"x\" \"port\" 8080 \"ratio\" 1.5 \"db\" (dict \"host\" \"pg\" \"opts\" (dict \"ssl\" true))) }}",
         "name = \"x\"\nport = 8080\nratio = 1.5\n\n[db]\n  host = \"pg\"\n\n  [db.opts]\n    ssl = true\n"),
        ("{{ (fromToml \"a = 1\\n[t]\\nb = 'x' # c\\n[[arr]]\\nk = [1, 2]\\n[[arr]]\\nk = []\\n\").t.b }}", "x"),
        ("{{ fromToml \"a = [1, 2\" }}", "map[Error:toml: line 1: unterminated array]"),
        // Each of these was checked against Helm v4 through helm-python-sdk.
        ("{{ tpl \"\" . | quote }} {{ tpl \"  \" . | quote }} {{ tpl \"{{/* c */}}\" . | quote }}", "\"\" \"  \" \"\""),
        ("y: {{ \"a\\nb\" | toYaml | nindent 4 }}", "y: \n    |-\n      a\n      b"),
        ("{{ \"2024-04-01\" | toYaml }} {{ \"2024-4-1T10:20:30Z\" | toYaml }} {{ \"2024-13-01\" | toYaml }} {{ \"20240401\" | toYaml }}",
         "\"2024-04-01\" \"2024-4-1T10:20:30Z\" 2024-13-01 \"20240401\""),
        ("{{ atoi \"42\" }} {{ atoi \"x\" }} {{ toDecimal \"0777\" }} {{ toDecimal 17 }} {{ trimall \"$\" \"$5$\" }} {{ hello }}", "42 0 511 15 5 Hello!"),
        // mergo, as Sprig calls it: overwrite replaces with empty values too; a nil is an empty map.
        ("{{ mergeOverwrite (dict \"a\" true \"b\" \"x\" \"c\" 1 \"d\" (dict \"e\" 1) \"g\" 1) (dict \"a\" false \"b\" \"\" \"c\" 0 \"d\" (dict \"e\" 0) \"g\" nil) | toJson }}",
         "{\"a\":false,\"b\":\"\",\"c\":0,\"d\":{\"e\":0},\"g\":null}"),
        ("{{ merge (dict \"a\" false \"b\" \"\") (dict \"a\" true \"b\" \"y\") | toJson }} {{ hasKey (index (dict) \"x\") \"y\" }} {{ mustMergeOverwrite (dict \"a\" 1) (index (dict) \"x\") | toJson }}",
         "{\"a\":true,\"b\":\"y\"} false {\"a\":1}"),
        ("{{ dict \"mirrorPercent\" 1 \"mirror_percent\" 2 \"a10\" 3 \"a9\" 4 \"B\" 5 | toYaml }}", "B: 5\na9: 4\na10: 3\nmirror_percent: 2\nmirrorPercent: 1"),
        ("{{ mustMerge (dict \"a\" 1) (dict \"a\" 2 \"b\" 2) | toJson }} {{ mustMergeOverwrite (dict \"a\" 1) (dict \"a\" 2) | toJson }}",
         "{\"a\":1,\"b\":2} {\"a\":2}"),
    ])
    func helmFunctions(_ template: String, _ expected: String) throws {
        #expect(try render(template) == expected)
    }

    // Found by the set fuzzer: `list[2222222222220]=x` tried to allocate a list of two trillion items.
    @Test func setIndexesHaveHelmsLimit() throws {
        let error = #expect(throws: SetValues.ParseError.self) { try SetValues.apply("list[2222222222220].x=1", to: .object([:]), forceString: false) }
        #expect(error?.description == "index of 2222222222220 is greater than maximum supported index 65536")
        let value = try SetValues.apply("list[65536]=1", to: .object([:]), forceString: false)
        #expect(value["list"]?.arrayValue?.count == 65537)
    }

    @Test func mustToDurationRejectsNonDurations() {
        #expect(throws: TemplateError.self) { _ = try render("{{ mustToDuration \"soon\" }}") }
    }

    @Test func cyclicMapsAreErrorsNotCrashes() throws {
        let map = TemplateMap()
        map["self"] = .map(map)
        #expect(try render("{{ toJson . }}", data: .map(map)) == "")
        #expect(throws: TemplateError.self) { _ = try render("{{ mustToJson . }}", data: .map(map)) }
        _ = try render("{{ . }}", data: .map(map))
    }

    /// Helm issue 9027: nulls in a chart's own values are unset; only user nulls delete defaults.
    @Test func nullsInDefaultsDoNotDelete() {
        let defaults: Value = .object(["hash": .object(["a": .null, "b": .int(2)]), "gone": .null])
        #expect(HelmValues.coalesce(.object([:]), over: defaults) == .object(["hash": .object(["b": .int(2)])]))
        let user: Value = .object(["hash": .object(["b": .null])])
        #expect(HelmValues.coalesce(user, over: defaults) == .object(["hash": .object([:])]))
    }

    @Test func importValuesFromSubcharts() throws {
        let tree = MemoryFileTree(displayName: "t", files: [
            "p/Chart.yaml": Array("""
                apiVersion: v2
                name: p
                version: 1.0.0
                dependencies:
                  - name: c
                    version: 1.0.0
                    import-values:
                      - data
                      - child: settings.db
                        parent: database
                """.utf8),
            "p/values.yaml": Array("database:\n  port: 6000\n".utf8),
            "p/templates/t.yaml": Array("{{ .Values.shared }} {{ .Values.database.host }} {{ .Values.database.port }}".utf8),
            "p/charts/c/Chart.yaml": Array("apiVersion: v2\nname: c\nversion: 1.0.0\n".utf8),
            "p/charts/c/values.yaml": Array("exports:\n  data:\n    shared: from-child\nsettings:\n  db: {host: pg, port: 5432}\n".utf8),
        ])
        let rendered = try ChartRenderer.render(try ChartLoader.load(tree, path: "p"),
                                                options: ChartRenderOptions(releaseName: "r", namespace: "n"))
        // Imported values fill in; the parent's own database.port wins over the imported one.
        #expect(rendered.first { $0.name == "p/templates/t.yaml" }?.content == "from-child pg 6000")
    }

    @Test func subchartErrorsNoteTheValueUnderTheSubchartsKey() throws {
        let tree = MemoryFileTree(displayName: "t", files: [
            "p/Chart.yaml": Array("apiVersion: v2\nname: p\nversion: 1.0.0\n".utf8),
            "p/charts/redis/Chart.yaml": Array("apiVersion: v2\nname: redis\nversion: 1.0.0\n".utf8),
            "p/charts/redis/templates/s.yaml": Array("port: {{ .Values.port | int | add1 }}\n{{ $.Values.auth.password.value }}\n".utf8),
        ])
        let prod = SourceText(path: "prod.yaml", bytes: Array("redis:\n  port: 1\n  auth:\n    password: secret\n".utf8))
        var options = ChartRenderOptions(releaseName: "r", namespace: "n", values: try HelmValues.read(prod.bytes, file: prod.path))
        options.valuesSources = [prod]
        let error = #expect(throws: DiagnosticError.self) { try ChartRenderer.render(try ChartLoader.load(tree, path: "p"), options: options) }
        // `password` is a string where the template reads a field of it: the note points at it under
        // `redis`, and shows its key, not the value.
        #expect(error?.diagnostics.dropFirst().map(\.description) == [
            "prod.yaml:4:5: note: .Values.auth.password is set here, and is not a map, so .Values.auth.password.value cannot be read\n    password: …\n    ^",
        ])
    }

    @Test func seededRandomnessTakesAPrivateSeed() throws {
        let tree = MemoryFileTree(displayName: "t", files: [
            "p/Chart.yaml": Array("apiVersion: v2\nname: p\nversion: 1.0.0\n".utf8),
            "p/templates/t.yaml": Array("{{ randAlphaNum 16 }} {{ genPrivateKey \"ed25519\" | sha256sum }}".utf8),
        ])
        let chart = try ChartLoader.load(tree, path: "p")
        func render(_ secret: String?) throws -> String? {
            try ChartRenderer.render(chart, options: ChartRenderOptions(releaseName: "r", namespace: "n", seedSecret: secret))
                .first { $0.name == "p/templates/t.yaml" }?.content
        }
        let public_ = try render(nil), private_ = try render("s3cret")
        let publicAgain = try render(nil), privateAgain = try render("s3cret"), other = try render("other")
        #expect(public_ == publicAgain && private_ == privateAgain)
        #expect(public_ != private_ && private_ != other)
    }

    /// Expected messages are Helm v4's (helm-python-sdk) for the same chart and values.
    @Test(arguments: [
        ("replicaCount: x", "- at '/replicaCount': got string, want integer"),
        ("mode: z", "- at '/mode': value must be one of 'a', 'b'"),
        ("image: {tag: 5}", "- at '/image/tag': got number, want string"),
        ("replicaCount: 0", "- at '/replicaCount': minimum: got 0, want 1"),
        ("list: [1]", "- at '/list': minItems: got 1, want 2"),
        ("extra: 1", "- at '': additional properties 'extra' not allowed"),
    ])
    func valuesSchemaFailuresReadAsHelms(_ values: String, _ line: String) throws {
        let schema = #"""
            {"type": "object", "required": ["image", "need"], "additionalProperties": false,
             "properties": {"replicaCount": {"type": "integer", "minimum": 1}, "need": {}, "mode": {"enum": ["a", "b"]},
               "list": {"type": "array", "minItems": 2}, "image": {"type": "object", "properties": {"tag": {"type": "string"}}}}}
            """#
        let tree = MemoryFileTree(displayName: "t", files: [
            "vs/Chart.yaml": Array("apiVersion: v2\nname: vs\nversion: 0.1.0\n".utf8),
            "vs/values.yaml": Array("replicaCount: 1\nimage:\n  tag: \"1\"\n".utf8),
            "vs/values.schema.json": Array(schema.utf8),
            "vs/templates/a.yaml": Array("r: {{ .Values.replicaCount }}".utf8),
        ])
        let chart = try ChartLoader.load(tree, path: "vs")
        #expect(chart.files["values.schema.json"] == nil, "Helm keeps the schema out of .Files")
        let user = try HelmValues.read(Array(("need: 1\n" + values).utf8), file: "user.yaml")
        let error = #expect(throws: DiagnosticError.self) {
            try ChartRenderer.render(chart, options: ChartRenderOptions(releaseName: "r", namespace: "d", values: user))
        }
        #expect(error?.diagnostics.first?.message
                == "values don't meet the specifications of the schema(s) in the following chart(s):\nvs:\n\(line)\n")
        #expect(error?.diagnostics.first?.location?.file == "vs/values.schema.json")
        let fine = try HelmValues.read(Array("need: 1\n".utf8), file: "user.yaml")
        #expect(try ChartRenderer.render(chart, options: ChartRenderOptions(releaseName: "r", namespace: "d", values: fine)).first?.content == "r: 1")
    }

    @Test func chartTypesAreValidated() {
        let tree = MemoryFileTree(displayName: "t", files: ["c/Chart.yaml": Array("apiVersion: v2\nname: c\nversion: 1.0.0\ntype: Library\n".utf8)])
        let error = #expect(throws: DiagnosticError.self) { try ChartLoader.load(tree, path: "c") }
        #expect(error?.diagnostics.first?.location?.line == 4)
        let library = MemoryFileTree(displayName: "t", files: ["c/Chart.yaml": Array("apiVersion: v2\nname: c\nversion: 1.0.0\ntype: library\n".utf8)])
        #expect(throws: DiagnosticError.self) {
            try ChartRenderer.render(try ChartLoader.load(library, path: "c"), options: ChartRenderOptions(releaseName: "r", namespace: "n"))
        }
    }

    @Test func capabilitiesFilesAndChartFieldsAreGoValues() throws {
        let tree = MemoryFileTree(displayName: "t", files: [
            "c/Chart.yaml": Array("apiVersion: v2\nname: c\nversion: 1.0.0\n".utf8),
            "c/files/a.txt": Array("x".utf8), "c/files/b.txt": Array("y".utf8),
            "c/templates/t.yaml": Array("""
                a: {{ has "apps/v1" .Capabilities.APIVersions }} {{ len .Capabilities.APIVersions }} {{ .Capabilities.APIVersions.Has "x/v1" }}
                b: {{ range $i, $v := .Capabilities.APIVersions }}{{ if lt $i 2 }}{{ $v }},{{ end }}{{ end }}
                c: {{ range $path, $bytes := .Files.Glob "files/*" }}{{ $path }}={{ $bytes | toString }};{{ end }} {{ len (.Files.Glob "files/*") }}
                d: {{ .Chart.AppVersion | quote }} {{ .Chart.Keywords }} {{ .Chart.Deprecated }}
                e: {{ if .Files.Glob "nope/*" }}yes{{ else }}no{{ end }} {{ empty (.Files.Glob "nope/*") }} {{ empty (.Files.Glob "files/*") }}

                """.utf8),
        ])
        let output = try ChartRenderer.render(try ChartLoader.load(tree, path: "c"), options: ChartRenderOptions(releaseName: "r", namespace: "n"))
        #expect(output.first?.content == """
            a: true 55 false
            b: v1,admissionregistration.k8s.io/v1,
            c: files/a.txt=x;files/b.txt=y; 2
            d: "" [] false
            e: no true false

            """, "\(output.first?.content ?? "")")
    }

    @Test func helmignoreIsAppliedAndCRDsAreFiles() throws {
        let tree = MemoryFileTree(displayName: "t", files: [
            "c/Chart.yaml": Array("apiVersion: v2\nname: c\nversion: 1.0.0\n".utf8),
            "c/.helmignore": Array("# comment\ntemplates/tests/\n*.bak\n/files/secret.txt\ncrds/skip.yaml\n".utf8),
            "c/templates/tests/t.yaml": Array("kind: Pod\nmetadata: {name: t}\n".utf8),
            "c/templates/x.bak": Array("a: 1\n".utf8),
            "c/templates/.hidden.yaml": Array("x: 1\n".utf8),
            "c/templates/y.yaml": Array("c: {{ .Files.Get \"files/secret.txt\" | quote }} {{ .Files.Get \"files/ok.txt\" | quote }} {{ .Files.Get \"crds/crd.yaml\" | len }}\n".utf8),
            "c/files/secret.txt": Array("s\n".utf8), "c/files/ok.txt": Array("ok\n".utf8),
            "c/crds/crd.yaml": Array("kind: CustomResourceDefinition\nmetadata: {name: a}\n".utf8),
            "c/crds/skip.yaml": Array("kind: CustomResourceDefinition\nmetadata: {name: b}\n".utf8),
        ])
        let chart = try ChartLoader.load(tree, path: "c")
        #expect(chart.templates.map(\.path) == ["templates/y.yaml"] && chart.crds.map(\.path) == ["crds/crd.yaml"])
        let output = try ChartRenderer.render(chart, options: ChartRenderOptions(releaseName: "r", namespace: "n"))
        #expect(output.map(\.content) == ["c: \"\" \"ok\\n\" 51\n"], "as Helm renders it: \(output.map(\.content))")
    }

    @Test func aDependencyEntryAppliesOnlyToACompatibleVersion() throws {
        // bitnami's grafana-loki asks for memcached 7.x.x under four aliases, each off by default;
        // with memcached 8.0.0 vendored, Helm matches no entry and renders it once, as it is.
        func render(vendored version: String) throws -> [String] {
            let tree = MemoryFileTree(displayName: "t", files: [
                "c/Chart.yaml": Array("apiVersion: v2\nname: c\nversion: 1.0.0\ndependencies:\n  - {name: sub, alias: one, version: 7.x.x, condition: one.enabled}\n  - {name: sub, alias: two, version: 7.x.x, condition: two.enabled}\n".utf8),
                "c/values.yaml": Array("one: {enabled: true}\ntwo: {enabled: false}\n".utf8),
                "c/charts/sub/Chart.yaml": Array("apiVersion: v2\nname: sub\nversion: \(version)\n".utf8),
                "c/charts/sub/templates/cm.yaml": Array("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Chart.Name }}}\n".utf8),
            ])
            return try ChartRenderer.render(try ChartLoader.load(tree, path: "c"), options: ChartRenderOptions(releaseName: "r", namespace: "n")).map(\.name)
        }
        #expect(try render(vendored: "7.2.0") == ["c/charts/one/templates/cm.yaml"])
        #expect(try render(vendored: "8.0.0") == ["c/charts/sub/templates/cm.yaml"])
        // bitnami's wordpress: a disabled entry named as the chart removes it even when its version
        // does not match (Helm removes charts by the names of disabled entries).
        let tree = MemoryFileTree(displayName: "t", files: [
            "c/Chart.yaml": Array("apiVersion: v2\nname: c\nversion: 1.0.0\ndependencies:\n  - {name: sub, version: 7.x.x, condition: sub.enabled}\n".utf8),
            "c/values.yaml": Array("sub: {enabled: false}\n".utf8),
            "c/charts/sub/Chart.yaml": Array("apiVersion: v2\nname: sub\nversion: 8.0.0\n".utf8),
            "c/charts/sub/templates/cm.yaml": Array("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n".utf8),
        ])
        #expect(try ChartRenderer.render(try ChartLoader.load(tree, path: "c"), options: ChartRenderOptions(releaseName: "r", namespace: "n")).isEmpty)
    }

    @Test func binaryFilesKeepTheirBytes() throws {
        let tree = MemoryFileTree(displayName: "t", files: [
            "c/Chart.yaml": Array("apiVersion: v2\nname: c\nversion: 1.0.0\n".utf8),
            "c/files/b.bin": [0xFF, 0xFE],
            "c/templates/t.yaml": Array("g: {{ .Files.Get \"files/b.bin\" | b64enc }} {{ .Files.Get \"files/b.bin\" | sha256sum }} {{ range $p, $b := .Files.Glob \"files/*\" }}{{ $b | toString | b64enc }}{{ end }}\n".utf8),
        ])
        let output = try ChartRenderer.render(try ChartLoader.load(tree, path: "c"), options: ChartRenderOptions(releaseName: "r", namespace: "n"))
        // Helm's (a Go string holds any bytes), not U+FFFD replacements.
        #expect(output.first?.content == "g: //4= b3d510ef04275ca8e698e5b3cbb0ece3949ef9252f0cdc839e9ee347409a2209 //4=\n", "\(output.first?.content ?? "")")
    }

    @Test func tplIsParsedAsGotplAndItsErrorsSaySo() throws {
        let tree = MemoryFileTree(displayName: "t", files: [
            "c/Chart.yaml": Array("apiVersion: v2\nname: c\nversion: 1.0.0\n".utf8),
            // common.tplvalues.render's pattern: tpl inside a helper whose text includes that helper.
            "c/templates/_h.tpl": Array("{{- define \"render\" }}{{ tpl .value .context }}{{ end }}".utf8),
            "c/templates/t.yaml": Array("a: {{ include \"render\" (dict \"value\" \"{{ include \\\"render\\\" (dict \\\"value\\\" \\\"x\\\" \\\"context\\\" $) }}\" \"context\" .) }}\nb: {{ tpl \"{{ .nope.x }}\" (dict) }}\n".utf8),
        ])
        let error = #expect(throws: DiagnosticError.self) {
            try ChartRenderer.render(try ChartLoader.load(tree, path: "c"), options: ChartRenderOptions(releaseName: "r", namespace: "n"))
        }
        // Helm's words: the first line renders (the include inside tpl finds the helper), the second fails as Helm says.
        #expect(error?.diagnostics.first?.message.hasSuffix("error calling tpl: error during tpl function execution for \"{{ .nope.x }}\": template: gotpl:1:8: executing \"gotpl\" at <.nope.x>: nil pointer evaluating interface {}.x") == true,
                "\(String(describing: error))")
    }

    @Test func aRunawayIncludeIsOneShortErrorInHelmsWords() throws {
        let tree = MemoryFileTree(displayName: "t", files: [
            "c/Chart.yaml": Array("apiVersion: v2\nname: c\nversion: 1.0.0\n".utf8),
            "c/templates/t.yaml": Array("{{- define \"x\" }}{{ include \"x\" . }}{{ end }}a: {{ include \"x\" . }}\n".utf8),
        ])
        let error = #expect(throws: DiagnosticError.self) {
            try ChartRenderer.render(try ChartLoader.load(tree, path: "c"), options: ChartRenderOptions(releaseName: "r", namespace: "n"))
        }
        let message = error?.diagnostics.first?.message ?? ""
        // Helm prints the same frame a thousand times (92 KB); the cause and the frame are said once.
        #expect(message.count < 600 && message.contains("(and the same call 999 more times within it)")
                && message.hasSuffix("rendering template has a nested reference name: x: unable to execute template"), "\(message.prefix(800))")
    }

    @Test func templatesOfAChartShareTheirTopLevelMap() throws {
        // istio's zzz_profile (executed first: Helm runs names of equal depth in reverse order)
        // replaces .Values for every template after it.
        let tree = MemoryFileTree(displayName: "t", files: [
            "c/Chart.yaml": Array("apiVersion: v2\nname: c\nversion: 1.0.0\n".utf8),
            "c/values.yaml": Array("x: 1\n".utf8),
            "c/templates/a.yaml": Array("a: {{ .Values.x }} {{ .Template.Name }}\n".utf8),
            "c/templates/zzz.yaml": Array("{{- $_ := set $ \"Values\" (dict \"x\" 2) }}\n".utf8),
        ])
        let output = try ChartRenderer.render(try ChartLoader.load(tree, path: "c"), options: ChartRenderOptions(releaseName: "r", namespace: "n"))
        #expect(output.first { $0.name == "c/templates/a.yaml" }?.content == "a: 2 c/templates/a.yaml\n")
    }

    @Test func chartYAMLIsCheckedAsHelmChecksIt() {
        func error(_ chartYAML: String) -> Diagnostic? {
            let tree = MemoryFileTree(displayName: "t", files: ["c/Chart.yaml": Array(chartYAML.utf8)])
            return (#expect(throws: DiagnosticError.self) { try ChartLoader.load(tree, path: "c") })?.diagnostics.first
        }
        let noVersion = error("apiVersion: v2\nname: orders-api\n")
        #expect(noVersion?.message.hasPrefix("validation: chart.metadata.version is required") == true && noVersion?.location?.file == "c/Chart.yaml",
                "\(String(describing: noVersion))")
        #expect(error("name: c\nversion: 1.0.0\n")?.message.hasPrefix("validation: chart.metadata.apiVersion is required") == true)
        let badVersion = error("apiVersion: v2\nname: c\nversion: one\n")
        #expect(badVersion?.message.hasPrefix("validation: chart.metadata.version \"one\" is invalid") == true && badVersion?.location?.line == 3)
        for accepted in ["1", "1.2", "v1.2.3", "1.2.3-rc.1+build.5", "0.1.0-SNAPSHOT"] {
            let tree = MemoryFileTree(displayName: "t", files: ["c/Chart.yaml": Array("apiVersion: v2\nname: c\nversion: \(accepted)\n".utf8)])
            #expect((try? ChartLoader.load(tree, path: "c")) != nil, "\(accepted)")
        }
    }

    @Test func missingDependenciesAreErrorsAndFileDependenciesResolve() throws {
        let chart = """
            apiVersion: v2
            name: app
            version: 1.0.0
            dependencies:
              - name: common
                version: 2.x.x
                repository: file://../common
              - name: postgresql
                version: 16.2.1
                repository: oci://registry-1.docker.io/bitnamicharts
              - name: redis
                version: 20.0.0
                repository: https://charts.bitnami.com/bitnami

            """
        let files: [String: [UInt8]] = [
            "charts/app/Chart.yaml": Array(chart.utf8),
            "charts/app/templates/cm.yaml": Array("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ include \"common.name\" . }}}\n".utf8),
            "charts/common/Chart.yaml": Array("apiVersion: v2\nname: common\nversion: 2.1.0\ntype: library\n".utf8),
            "charts/common/templates/_names.tpl": Array("{{- define \"common.name\" -}}{{ .Release.Name }}-app{{- end -}}".utf8),
        ]
        let missing = #expect(throws: DiagnosticError.self) { try ChartLoader.load(MemoryFileTree(displayName: "t", files: files), path: "charts/app") }
        let diagnostic = try #require(missing?.diagnostics.first)
        #expect(diagnostic.message.hasPrefix("found in Chart.yaml, but missing in charts/ directory: postgresql (oci://registry-1.docker.io/bitnamicharts), redis (https://charts.bitnami.com/bitnami); run `gitops chart lock charts/app` to pin them in Chart.lock"),
                "\(diagnostic.message)")
        #expect(diagnostic.location?.line == 8, "at the first missing dependency")

        // Only the file:// one: resolved from the repository, its templates used.
        let local = files.merging(["charts/app/Chart.yaml": Array(chart.components(separatedBy: "  - name: postgresql")[0].utf8)]) { $1 }
        let loaded = try ChartLoader.load(MemoryFileTree(displayName: "t", files: local), path: "charts/app")
        #expect(loaded.subcharts.map(\.name) == ["common"])
        let output = try ChartRenderer.render(loaded, options: ChartRenderOptions(releaseName: "r", namespace: "n"))
        #expect(output.map(\.content).joined().contains("name: r-app"), "\(output.map(\.content))")

        let escaping = files.merging(["charts/app/Chart.yaml": Array(chart.components(separatedBy: "  - name: postgresql")[0].replacingOccurrences(of: "../common", with: "../../../common").utf8)]) { $1 }
        let outside = #expect(throws: DiagnosticError.self) { try ChartLoader.load(MemoryFileTree(displayName: "t", files: escaping), path: "charts/app") }
        #expect(outside?.diagnostics.first?.message.contains("is outside the repository") == true, "\(String(describing: outside))")
    }

    @Test func helmTemplateOutputLayout() throws {
        let rendered = [
            RenderedTemplate(name: "c/templates/b.yaml", sourcePath: "c/templates/b.yaml",
                             content: "kind: Service\nmetadata: {name: s}\n\n---\nkind: Job\nmetadata:\n  name: hook\n  annotations:\n    helm.sh/hook: pre-install\n"),
            RenderedTemplate(name: "c/templates/a.yaml", sourcePath: "c/templates/a.yaml", content: "kind: Deployment\nmetadata: {name: d}\n"),
            RenderedTemplate(name: "c/templates/_h.tpl", sourcePath: "c/templates/_h.tpl", content: "ignored"),
        ]
        #expect(try HelmTemplateOutput.format(rendered) == """
            ---
            # Source: c/templates/b.yaml
            kind: Service
            metadata: {name: s}


            ---
            # Source: c/templates/a.yaml
            kind: Deployment
            metadata: {name: d}
            ---
            # Source: c/templates/b.yaml
            kind: Job
            metadata:
              name: hook
              annotations:
                helm.sh/hook: pre-install


            """)
        let broken = [RenderedTemplate(name: "c/templates/x.yaml", sourcePath: "c/templates/x.yaml", content: "a: [\n")]
        #expect(throws: DiagnosticError.self) { try HelmTemplateOutput.format(broken) }
    }
}
