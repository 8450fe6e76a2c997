import Basics
import Foundation
import Testing
@testable import Template

let sprigTable: [ExecCase] = [
    // Strings.
    .init(template: "{{ \"  x \" | trim }}|{{ trimAll \"$\" \"$5$\" }}|{{ trimPrefix \"v\" \"v1.2\" }}|{{ trimSuffix \".yaml\" \"a.yaml\" }}", expected: "x|5|1.2|a"),
    .init(template: "{{ upper \"abc\" }} {{ title \"hello wide-world\" }} {{ untitle \"Hello World\" }}", expected: "ABC Hello Wide-World hello world"),
    .init(template: "{{ \"blog-release-name-that-is-far-too-long-for-a-label-value-really\" | trunc 63 | trimSuffix \"-\" }}",
          expected: "blog-release-name-that-is-far-too-long-for-a-label-value-really"),
    .init(template: "{{ trunc -3 \"abcdef\" }} {{ substr 1 3 \"abcdef\" }} {{ abbrev 5 \"hello world\" }}", expected: "def bc he..."),
    .init(template: "{{ quote \"a\" 1 nil }} {{ squote \"b\" }} {{ cat \"a\" 2 nil \"c\" }}", expected: "\"a\" \"1\" 'b' a 2 c"),
    .init(template: "{{ \"a\\nb\" | indent 2 }}|{{ \"x\" | nindent 4 }}", expected: "  a\n  b|\n    x"),
    .init(template: "{{ snakecase \"HTTPServerName\" }} {{ kebabcase \"firstName\" }} {{ camelcase \"http_server\" }}",
          expected: "http_server_name first-name HttpServer"),
    .init(template: "{{ replace \" \" \"-\" \"a b c\" }} {{ plural \"one\" \"many\" 2 }} {{ repeat 3 \"ab\" }}", expected: "a-b-c many ababab"),
    .init(template: "{{ splitList \",\" \"a,b,c\" | join \"+\" }} {{ (split \".\" \"x.y\")._1 }} {{ list 3 \"a\" nil 1 | join \"-\" }}",
          expected: "a+b+c y 3-a-1"),
    .init(template: "{{ wrap 5 \"Hello World\" }}", expected: "Hello\nWorld"),
    .init(template: "{{ upper 3 }}", expected: nil),
    // Defaults and flow.
    .init(template: "{{ default \"d\" .empty }} {{ default \"d\" .name }} {{ default 5 0 }} {{ coalesce 0 \"\" \"c\" }}", expected: "d blog 5 c"),
    .init(template: "{{ empty .emptyList }} {{ empty .map }} {{ ternary \"y\" \"n\" true }} {{ all 1 \"a\" }} {{ any 0 \"\" }}",
          expected: "true false y true false"),
    // Lists.
    .init(template: "{{ first .list }} {{ last .list }} {{ rest .list }} {{ initial .list }} {{ reverse .list }}",
          expected: "a c [b c] [a b] [c b a]"),
    .init(template: "{{ append .list \"d\" }} {{ prepend .list \"z\" }} {{ concat .list (list 1) }} {{ uniq (list 1 1 2) }}",
          expected: "[a b c d] [z a b c] [a b c 1] [1 2]"),
    .init(template: "{{ without .list \"b\" }} {{ has \"b\" .list }} {{ compact (list 0 1 \"\" 2) }} {{ chunk 2 .list }}",
          expected: "[a c] true [1 2] [[a b] [c]]"),
    .init(template: "{{ until 3 }} {{ untilStep 0 10 4 }} {{ seq 3 }} {{ sortAlpha (list \"b\" \"a\") }}", expected: "[0 1 2] [0 4 8] 1 2 3 [a b]"),
    .init(template: "{{ first \"x\" }}", expected: nil),
    // Dicts (shared, as Go maps).
    .init(template: "{{ $d := dict \"a\" 1 }}{{ $_ := set $d \"b\" 2 }}{{ $d }} {{ hasKey $d \"b\" }} {{ get $d \"z\" }}|{{ keys $d | sortAlpha }}",
          expected: "map[a:1 b:2] true |[a b]"),
    .init(template: "{{ $d := dict \"a\" 1 \"b\" 2 }}{{ unset $d \"a\" }} {{ pick $d \"b\" }} {{ omit $d \"b\" }}", expected: "map[b:2] map[b:2] map[]"),
    .init(template: "{{ $a := dict \"x\" (dict \"y\" 1) \"k\" \"\" }}{{ merge $a (dict \"x\" (dict \"z\" 2) \"k\" \"v\") }}",
          expected: "map[k:v x:map[y:1 z:2]]"),
    .init(template: "{{ mergeOverwrite (dict \"a\" 1) (dict \"a\" 2) }} {{ dig \"a\" \"b\" \"def\" (dict \"a\" (dict \"b\" \"found\")) }}",
          expected: "map[a:2] found"),
    .init(template: "{{ pluck \"k\" (dict \"k\" 1) (dict \"j\" 2) (dict \"k\" 3) }} {{ values (dict \"b\" 2 \"a\" 1) }}", expected: "[1 3] [1 2]"),
    // Math.
    .init(template: "{{ add 1 2 3 }} {{ sub 5 7 }} {{ mul 2 3 4 }} {{ div 7 2 }} {{ mod 7 3 }} {{ add1 .replicas }} {{ max 1 9 3 }} {{ min 4 2 }}",
          expected: "6 -2 24 3 1 4 9 2"),
    .init(template: "{{ addf 1.1 2.2 }} {{ mulf 1.5 2 }} {{ divf 1 4 }} {{ floor 1.7 }} {{ ceil 1.2 }} {{ round 3.14159 2 }}",
          expected: "3.3 3 0.25 1 2 3.14"),
    .init(template: "{{ int \"42\" }} {{ int64 3.9 }} {{ float64 \"1.5\" }} {{ add .big 1 }}", expected: "42 3 1.5 1000001"),
    .init(template: "{{ div 1 0 }}", expected: nil),
    // Encoding, hashes, types, paths.
    .init(template: "{{ b64enc \"hello\" }} {{ b64dec \"aGVsbG8=\" }} {{ b32enc \"hi\" }} {{ b32dec \"NBUQ====\" }}",
          expected: "aGVsbG8= hello NBUQ==== hi"),
    .init(template: "{{ sha256sum \"abc\" | trunc 12 }} {{ sha1sum \"abc\" | trunc 8 }} {{ adler32sum \"abc\" }}",
          expected: "ba7816bf8f01 a9993e36 38600999"),
    .init(template: "{{ typeOf .list }} {{ kindOf .map }} {{ kindIs \"string\" .name }} {{ typeIs \"float64\" .ratio }} {{ deepEqual (list 1) (list 1) }}",
          expected: "[]interface {} map true true true"),
    .init(template: "{{ base \"/a/b.txt\" }} {{ dir \"/a/b.txt\" }} {{ ext \"x.tar.gz\" }} {{ clean \"a/../b/./c\" }} {{ isAbs \"/x\" }}",
          expected: "b.txt /a .gz b/c true"),
    // JSON, exactly as Go's encoding/json prints.
    .init(template: "{{ toJson .map }} {{ toJson (list 1.5 \"<a>\" nil) }} {{ toRawJson (list \"<a>\") }}",
          expected: "{\"a\":1,\"m\":13,\"z\":26} [1.5,\"\\u003ca\\u003e\",null] [\"<a>\"]"),
    // Control characters as Go 1.22+ escapes them (checked against Helm's SDK); U+2028/9 escaped.
    .init(template: "{{ toJson (printf \"%c%c%c\\u2028&\" 8 12 1) }} {{ toRawJson (list \"&\") }}",
          expected: "\"\\b\\f\\u0001\\u2028\\u0026\" [\"&\"]"),
    .init(template: "{{ toPrettyJson (dict \"a\" (list 1 2)) }}", expected: "{\n  \"a\": [\n    1,\n    2\n  ]\n}"),
    .init(template: "{{ (fromJson \"{\\\"a\\\": 1, \\\"b\\\": [true]}\").a }} {{ typeOf (fromJson \"1\") }} {{ toJson 1e21 }} {{ toJson 0.0000001 }}",
          expected: "1 float64 1e+21 1e-7"),
    // Regular expressions (RE2 syntax).
    .init(template: "{{ regexMatch \"^[a-z]+[0-9]$\" \"abc1\" }} {{ regexFind \"[0-9]+\" \"ab123cd45\" }} {{ regexFindAll \"[0-9]\" \"a1b2c3\" 2 }}",
          expected: "true 123 [1 2]"),
    .init(template: "{{ regexReplaceAll \"(?P<w>[a-z]+)-([0-9])\" \"ab-1 cd-2\" \"${2}${w}\" }} {{ regexReplaceAllLiteral \"a\" \"aa\" \"$1\" }}",
          expected: "1ab 2cd $1$1"),
    .init(template: "{{ regexSplit \"[,;]\" \"a,b;c\" -1 }} {{ regexQuoteMeta \"a.b*c\" }}", expected: "[a b c] a\\.b\\*c"),
    .init(template: "{{ regexMatch \"(\" \"x\" }}", expected: nil),
    // Semantic versions.
    .init(template: "{{ semverCompare \">=1.21.0-0\" \"1.29.3\" }} {{ semverCompare \"^1.2\" \"2.0.0\" }} {{ semverCompare \"~1.2.3\" \"1.2.9\" }}",
          expected: "true false true"),
    .init(template: "{{ semverCompare \">1.0, <2.0 || 3.x\" \"3.1.0\" }} {{ semverCompare \"1.2 - 1.4\" \"1.3.7\" }} {{ semverCompare \">=1.0\" \"1.5.0-beta\" }}",
          expected: "true true false"),
    .init(template: "{{ (semver \"v1.2.3-rc.1+b5\").Prerelease }} {{ (semver \"2.0\").Minor }} {{ (semver \"1.0.0\").Compare (semver \"1.0.1\") }}",
          expected: "rc.1 0 -1"),
    .init(template: "{{ semver \"not-a-version\" }}", expected: nil),
    // Dates and durations (time zone independent).
    .init(template: "{{ toDate \"2006-01-02\" \"2017-12-31\" | date \"02/01/2006 Jan Monday\" }} {{ duration 3725 }} {{ durationRound \"49h\" }}",
          expected: "31/12/2017 Dec Sunday 1h2m5s 2d"),
    .init(template: "{{ dateInZone \"2006-01-02T15:04:05.000Z07:00\" 1700000000 \"UTC\" }} {{ unixEpoch (toDate \"2006-01-02 15:04 -0700\" \"2023-11-14 22:13 +0000\") }}",
          expected: "2023-11-14T22:13:20.000Z 1699999980"),
    // URLs and AES.
    .init(template: "{{ (urlParse \"https://u@h.io:8443/p?q=1#f\").host }} {{ urlJoin (dict \"scheme\" \"https\" \"host\" \"x.io\" \"path\" \"/a\") }}",
          expected: "h.io:8443 https://x.io/a"),
    .init(template: "{{ encryptAES \"key\" \"secret\" | decryptAES \"key\" }}", expected: "secret"),
]

@Suite struct SprigTests {
    @Test(arguments: sprigTable)
    func table(_ testCase: ExecCase) {
        var set = TemplateSet(functions: Sprig.functions)
        do {
            try set.parse(name: "t", text: testCase.template)
            let output = try set.execute("t", data: tableData)
            #expect(testCase.expected == output, "\(testCase.template)")
        } catch {
            #expect(testCase.expected == nil, "\(testCase.template): unexpected \(error)")
        }
    }

    @Test func seededRandomnessRepeatsPerTemplate() throws {
        func render(_ source: RandomSource, template: String = "t") throws -> String {
            var set = TemplateSet(functions: Sprig.functions)
            set.randomSource = source
            try set.parse(name: template, text: "{{ randAlphaNum 12 }} {{ uuidv4 }} {{ randInt 1 100 }} {{ randNumeric 4 }}")
            return try set.execute(template, data: .null)
        }
        let first = try render(.seeded("ns/blog"))
        #expect(first == (try render(.seeded("ns/blog"))))
        #expect(first != (try render(.seeded("ns/other"))))
        #expect(first != (try render(.seeded("ns/blog"), template: "u")))
        let parts = first.split(separator: " ")
        #expect(parts[0].count == 12 && parts[0].allSatisfy { $0.isLetter || $0.isNumber })
        #expect(parts[1].count == 36 && parts[1].split(separator: "-")[2].hasPrefix("4"))
        #expect((1..<100).contains(Int(parts[2]) ?? 0) && parts[3].count == 4)
        #expect(try render(.system) != (try render(.system)))
    }

    @Test func nowIsTheInjectedClock() throws {
        var set = TemplateSet(functions: Sprig.functions)
        set.now = { Date(timeIntervalSince1970: 86_400) }
        try set.parse(name: "t", text: "{{ now | unixEpoch }} {{ dateInZone \"2006-01-02\" now \"UTC\" }}")
        #expect(try set.execute("t", data: .null) == "86400 1970-01-02")
    }
}
