import Testing
@testable import Template

@Suite struct FormatTests {
    @Test(arguments: [
        ("%v|%+v|%d|%5d|%-5d|%05d|%x|%X|%o|%O|%b|%c|%U|%#U|%q", [TemplateValue.int(255), .int(255), .int(-42), .int(42), .int(42),
            .int(-42), .int(255), .int(255), .int(8), .int(8), .int(5), .int(65), .int(0x1F600), .int(65), .int(65)],
         "255|+255|-42|   42|42   |-0042|ff|FF|10|0o10|101|A|U+1F600|U+0041 'A'|'A'"),
        ("%s|%q|%#q|%x|%X|% x|%.2s|%8s|%-8s|", [.string("hi"), .string("a\"b\n"), .string("raw"), .string("hi"), .string("hi"),
            .string("hi"), .string("hello"), .string("pad"), .string("pad")],
         "hi|\"a\\\"b\\n\"|`raw`|6869|6869|68 69|he|     pad|pad     |"),
        ("%e|%E|%f|%.2f|%8.3f|%g|%g|%.3g|%G|%+.1f", [.float(1234.5678), .float(1234.5678), .float(1.5), .float(3.14159),
            .float(2.5), .float(1e21), .float(0.0001), .float(1234.5678), .float(1e-7), .float(2.25)],
         "1.234568e+03|1.234568E+03|1.500000|3.14|   2.500|1e+21|0.0001|1.23e+03|1E-07|+2.2"),
        ("%t|%v|%T|%%|%v|%v", [.bool(true), .null, .list([]), .map(TemplateMap([("k", .list([.int(1)]))])), .complex(1, -2)],
         "true|<nil>|[]interface {}|%|map[k:[1]]|(1-2i)"),
        ("%d %s", [.string("x"), .int(3)], "%!d(string=x) %!s(int=3)"),
        ("%d %d", [.int(1)], "1 %!d(MISSING)"),
        ("%d", [.int(1), .string("extra")], "1%!(EXTRA string=extra)"),
    ])
    func sprintf(_ format: String, _ arguments: [TemplateValue], _ expected: String) {
        #expect(GoFormat.sprintf(format, arguments) == expected)
    }

    @Test func sprintSpacesOnlyBetweenNonStrings() {
        #expect(GoFormat.sprint([.int(1), .int(2), .string("a"), .int(3), .string("b"), .string("c")]) == "1 2a3bc")
    }
}
