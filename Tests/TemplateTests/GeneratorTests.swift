import Basics
import Crypto
import Foundation
import Testing
import X509
import Multiprecision
@testable import Template

/// Sprig's key, certificate and password generators. Expected passwords and hashes come from
/// Helm's own SDK (derivePassword) and from the Python `bcrypt` package (same salt).
@Suite struct GeneratorTests {
    func render(_ text: String, seed: String = "ns/release/chart", template: String = "t",
                now: Date = Date(timeIntervalSince1970: 1_790_000_000)) throws -> String {
        var set = TemplateSet(functions: Sprig.functions)
        set.now = { now }
        set.randomSource = .seeded(seed)
        try set.parse(name: template, text: text)
        return try set.execute(template, data: .null)
    }

    @Test func derivePasswordMatchesHelm() throws {
        #expect(try render(#"{{ derivePassword 1 "long" "password" "user" "example.com" }}"#) == "ZedaFaxcZaso9*")
        #expect(try render(#"{{ derivePassword 3 "maximum" "pässword" "üser" "site" }}"#) == "m5])PEypj5jh2YRFqmMv")
        #expect(try render(#"{{ derivePassword 0 "pin" "a" "b" "c" }}"#) == "8689")
        #expect(try render(#"{{ derivePassword 0 "nope" "a" "b" "c" }}"#) == "cannot find password template nope")
    }

    @Test func blowfishTablesAreTheDigitsOfPi() {
        let (p, s) = Blowfish.initial
        #expect(p[0] == 0x243F_6A88 && p[1] == 0x85A3_08D3 && p[17] == 0x8979_FB1B)
        #expect(s[0] == 0xD131_0BA6 && s[1023] == 0x3AC3_72E6)
    }

    @Test func bcryptMatchesTheReference() throws {
        let salt = Array(0..<16).map(UInt8.init)
        #expect(try Bcrypt.hash(Array("hello".utf8), salt: salt, cost: 4) == "$2a$04$..CA.uOD/eaGAOmJB.yMBuXVkvC8b09bVi1XEpxb.PqgxJfLsB4Lu")
        #expect(try Bcrypt.hash([], salt: salt, cost: 4) == "$2a$04$..CA.uOD/eaGAOmJB.yMBuq1wbVgYezarXi1FgOYk1qMNtxVndjJm")
        #expect(try Bcrypt.hash(Array("päss word".utf8), salt: salt, cost: 5) == "$2a$05$..CA.uOD/eaGAOmJB.yMBuY3FWT2MMDuqb8dyinWSOnbVIMCEbLOG")
        #expect(throws: FunctionError.self) { try Bcrypt.hash([UInt8](repeating: 65, count: 73), salt: salt, cost: 4) }
    }

    @Test func htpasswdAndBcryptRepeatWhenSeeded() throws {
        let text = #"{{ htpasswd "admin" "secret" }} {{ htpasswd "a:b" "x" }}"#
        let first = try render(text)
        #expect(first == (try render(text)))
        #expect(first != (try render(text, seed: "other")))
        #expect(first.hasPrefix("admin:$2a$10$") && first.hasSuffix(" invalid username: a:b"))
    }

    @Test func millerRabin() {
        var generator = SplitMix64(seed: 42)
        let random = { generator.next() }
        let mersenne127 = Limbs(words: [UInt64.max, UInt64.max >> 1])
        #expect(Primes.isProbablePrime(mersenne127, rounds: 8, random: random))
        let fermat7 = Limbs(words: [1, 1])  // 2^128 + 1 = 59649589127497217 · 5704689200685129054721
        #expect(!Primes.isProbablePrime(fermat7, rounds: 8, random: random))
        #expect(!Primes.isProbablePrime(mersenne127 * mersenne127, rounds: 8, random: random))
    }

    @Test func seededCertificatesRepeatAndVerify() throws {
        let text = """
            {{- $ca := genCA "my-ca" 365 -}}
            {{- $leaf := genSignedCert "svc" (list "10.0.0.1" "::1") (list "svc.ns") 30 $ca -}}
            {{ $ca.Cert }}|{{ $ca.Key }}|{{ $leaf.Cert }}|{{ typeOf $leaf }}
            """
        let first = try render(text)
        #expect(first == (try render(text)))
        let parts = first.split(separator: "|").map(String.init)
        #expect(parts[1].hasPrefix("-----BEGIN RSA PRIVATE KEY-----\n") && parts[3] == "sprig.certificate")
        let ca = try Certificate(pemEncoded: parts[0]), leaf = try Certificate(pemEncoded: parts[2])
        #expect(ca.subject == leaf.issuer)
        #expect(ca.publicKey.isValidSignature(leaf.signature, for: leaf))
        #expect(ca.publicKey.isValidSignature(ca.signature, for: ca))
        #expect(try ca.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: nil))
        #expect(try leaf.extensions.subjectAlternativeNames?.count == 3)
        #expect(ca.notValidBefore == Date(timeIntervalSince1970: 1_790_000_000))
        #expect(leaf.notValidAfter == Date(timeIntervalSince1970: 1_790_000_000 + 30 * 86_400))
        #expect(try ca.extensions.subjectKeyIdentifier?.keyIdentifier
                == leaf.extensions.authorityKeyIdentifier?.keyIdentifier)
    }

    @Test func keysOfEachTypeRoundTrip() throws {
        let text = #"{{ $ec := genPrivateKey "ecdsa" }}{{ $ed := genPrivateKey "ed25519" }}"#
            + #"{{ $ec }}|{{ $ed }}|{{ (genSelfSignedCertWithKey "x" nil nil 1 $ed).Cert }}|{{ (genCAWithKey "c" 1 $ec).Key }}"#
        let output = try render(text)
        #expect(output == (try render(text)), "seeded Ed25519-signed certificates repeat")
        let parts = output.split(separator: "|").map(String.init)
        #expect(parts[0].hasPrefix("-----BEGIN EC PRIVATE KEY-----\n") && parts[1].hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(parts[3] == parts[0])
        let ed = try Certificate(pemEncoded: parts[2])
        #expect(ed.publicKey.isValidSignature(ed.signature, for: ed))
    }

    @Test func ecdsaSignaturesAreFreshEachTime() throws {
        // Documented: swift-crypto's ECDSA signing is randomized, so only the signature differs.
        let text = #"{{ (genCAWithKey "c" 1 (genPrivateKey "ecdsa")).Cert }}"#
        let first = try Certificate(pemEncoded: try render(text)), second = try Certificate(pemEncoded: try render(text))
        #expect(first.tbsCertificateBytes == second.tbsCertificateBytes)
        #expect(first.signature != second.signature)
    }

    @Test(arguments: [
        (#"{{ genPrivateKey "dsa" }}"#, "DSA is deprecated"),
        (#"{{ genPrivateKey "rsa2" }}"#, "Unknown type rsa2"),
        (#"{{ genSignedCert "x" nil nil 1 (dict "Cert" "a") }}"#, "expected sprig.certificate"),
        (#"{{ genSelfSignedCert "x" (list "300.1.1.1") nil 1 }}"#, "error parsing ip: 300.1.1.1"),
        (#"{{ genCAWithKey "x" 1 "not a key" }}"#, "parsing private key: no PEM data in input"),
        (#"{{ buildCustomCert "%%%" "" }}"#, "unable to decode base64 certificate"),
    ])
    func generatorErrors(_ text: String, _ message: String) {
        do {
            _ = try render(text)
            Issue.record("\(text) did not fail")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test func getHostByNameIsOfflineAsInHelm() throws {
        #expect(try render(#"[{{ getHostByName "example.com" }}]"#) == "[]")
    }
}
