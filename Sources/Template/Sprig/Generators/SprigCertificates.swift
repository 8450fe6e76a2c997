import Basics
import Crypto
import Foundation
import SwiftASN1
import X509

/// Sprig's `certificate` struct: PEM `Cert` and `Key`, as `genCA` and friends return it.
struct SprigCertificate: TemplateObject {
    var cert: String
    var key: String

    var typeName: String { "sprig.certificate" }
    func field(_ name: String) -> TemplateValue? {
        switch name {
        case "Cert": return .string(cert)
        case "Key": return .string(key)
        default: return nil
        }
    }
    func method(_ name: String) -> (@Sendable ([TemplateValue]) throws -> TemplateValue)? { nil }
    var printed: String { "{\(cert) \(key)}" }
    var dataValue: Value? { .object(["Cert": .string(cert), "Key": .string(key)]) }
}

/// What a generated certificate says, before it is signed: Sprig's `getBaseCertTemplate`.
struct CertificateRequest {
    var commonName: String
    var ipAddresses: [[UInt8]] = []
    var dnsNames: [String] = []
    var daysValid: Int
    var isCA = false

    /// Reads Sprig's `(cn, ips, alternateDNS, daysValid)` arguments.
    init(commonName: TemplateValue, ips: TemplateValue?, dnsNames: TemplateValue?, daysValid: TemplateValue) throws {
        self.commonName = try SV.string(commonName)
        self.daysValid = try SV.int(daysValid)
        for ip in try Self.items(ips) {
            guard case .string(let text) = ip else { throw FunctionError("error parsing ip: \(GoFormat.value(ip)) is not a string") }
            guard let bytes = IPAddress.parse(text) else { throw FunctionError("error parsing ip: \(text)") }
            ipAddresses.append(bytes)
        }
        for name in try Self.items(dnsNames) {
            guard case .string(let text) = name else {
                throw FunctionError("error processing alternate dns name: \(GoFormat.value(name)) is not a string")
            }
            self.dnsNames.append(text)
        }
    }

    private static func items(_ value: TemplateValue?) throws -> [TemplateValue] {
        switch value {
        case nil, .missing?, .null?: return []
        case .list(let items)?: return items
        case let other?: throw FunctionError("wrong type for value; expected []interface {}; got \(other.typeName)")
        }
    }

    /// Signs the certificate for `subjectKey` with `issuerKey` (`issuer` nil: self-signed), with the
    /// extensions Go's `x509.CreateCertificate` writes for Sprig's template, in Go's order.
    func sign(subjectKey: SprigPrivateKey, issuer: Certificate?, issuerKey: SprigPrivateKey,
              now: Date, random: TemplateRandom.Stream) throws -> SprigCertificate {
        let subject = try DistinguishedName { CommonName(commonName) }
        let publicKey = subjectKey.certificateKey.publicKey
        let serial = random.isSeeded ? random.bytes(16) : (0..<16).map { _ in UInt8.random(in: 0...255) }
        let issuerName = issuer?.subject ?? subject
        let authorityKeyID = issuerName == subject ? nil : try issuer?.extensions.subjectKeyIdentifier?.keyIdentifier
        let isCA = self.isCA
        let dnsNames = self.dnsNames, ipAddresses = self.ipAddresses
        let extensions = try Certificate.Extensions {
            Critical(KeyUsage(digitalSignature: true, keyEncipherment: true, keyCertSign: isCA))
            try ExtendedKeyUsage([.serverAuth, .clientAuth])
            Critical(isCA ? BasicConstraints.isCertificateAuthority(maxPathLength: nil) : .notCertificateAuthority)
            if isCA { SubjectKeyIdentifier(hash: publicKey) }
            if let authorityKeyID { AuthorityKeyIdentifier(keyIdentifier: authorityKeyID) }
            if !dnsNames.isEmpty || !ipAddresses.isEmpty {
                SubjectAlternativeNames(dnsNames.map { GeneralName.dnsName($0) }
                    + ipAddresses.map { GeneralName.ipAddress(ASN1OctetString(contentBytes: $0[...])) })
            }
        }
        let notBefore = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(bytes: serial), publicKey: publicKey,
            notValidBefore: notBefore, notValidAfter: notBefore.addingTimeInterval(Double(daysValid) * 86_400),
            issuer: issuerName, subject: subject, extensions: extensions, issuerPrivateKey: issuerKey.certificateKey)
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return SprigCertificate(cert: PEMBlock(type: "CERTIFICATE", bytes: serializer.serializedBytes).encoded,
                                key: subjectKey.pem)
    }
}

/// IP address text to the bytes a certificate holds (4 for IPv4, 16 for IPv6), as Go's `net.ParseIP` reads it.
enum IPAddress {
    static func parse(_ text: String) -> [UInt8]? {
        if text.contains(":") { return ipv6(text) }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCIIDigit), let value = UInt8(part),
                  part.count == 1 || part.first != "0" else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    private static func ipv6(_ text: String) -> [UInt8]? {
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt8]? {
            if part.isEmpty { return [] }
            var bytes: [UInt8] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, piece.contains(".") {
                    guard let v4 = parse(String(piece)) else { return nil }
                    bytes += v4
                } else {
                    guard (1...4).contains(piece.count), let value = UInt16(piece, radix: 16) else { return nil }
                    bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
                }
            }
            return bytes
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

/// `genCA`, `genSelfSignedCert`, `genSignedCert` (and their `WithKey` forms), `buildCustomCert`,
/// `genPrivateKey`. Keys are RSA 2048 as in Sprig (4096 for `genPrivateKey "rsa"`); with a seeded
/// source the keys, serial numbers and (RSA and Ed25519) signatures repeat from render to render,
/// and the validity starts at the render's `now`.
enum SprigCertificates {
    static let functions: [String: TemplateFunction] = {
        @Sendable func issue(_ context: CallContext, _ request: CertificateRequest, key: SprigPrivateKey?,
                   ca: TemplateValue? = nil) throws -> TemplateValue {
            let random = context.random
            let subjectKey = try key ?? SprigPrivateKey.rsa(bits: 2048, random: random)
            var issuer: Certificate?
            var issuerKey = subjectKey
            if let ca {
                guard case .object(let object) = ca, let signer = object as? SprigCertificate else {
                    throw FunctionError("wrong type for value; expected sprig.certificate; got \(ca.typeName)")
                }
                do { issuer = try Certificate(pemEncoded: signer.cert) } catch {
                    throw FunctionError("error parsing certificate: decodedSignerCert.Bytes: \(error)")
                }
                do { issuerKey = try SprigPrivateKey(pem: signer.key) } catch let error as FunctionError {
                    throw FunctionError("error parsing private key: \(error.message)")
                }
            }
            return .object(try request.sign(subjectKey: subjectKey, issuer: issuer, issuerKey: issuerKey, now: context.now, random: random))
        }
        @Sendable func parsedKey(_ value: TemplateValue) throws -> SprigPrivateKey {
            do { return try SprigPrivateKey(pem: try SV.string(value)) } catch let error as FunctionError {
                throw FunctionError("parsing private key: \(error.message)")
            }
        }
        @Sendable func caRequest(_ a: [TemplateValue]) throws -> CertificateRequest {
            var request = try CertificateRequest(commonName: a[0], ips: nil, dnsNames: nil, daysValid: a[1])
            request.isCA = true
            return request
        }
        return [
            "genPrivateKey": TemplateFunction(arguments: 1) { context, a in
                .string(try SprigPrivateKey.generate(try SV.string(a[0]), random: context.random).pem)
            },
            "genCA": TemplateFunction(arguments: 2) { context, a in try issue(context, try caRequest(a), key: nil) },
            "genCAWithKey": TemplateFunction(arguments: 3) { context, a in
                try issue(context, try caRequest(a), key: try parsedKey(a[2]))
            },
            "genSelfSignedCert": TemplateFunction(arguments: 4) { context, a in
                try issue(context, try CertificateRequest(commonName: a[0], ips: a[1], dnsNames: a[2], daysValid: a[3]), key: nil)
            },
            "genSelfSignedCertWithKey": TemplateFunction(arguments: 5) { context, a in
                try issue(context, try CertificateRequest(commonName: a[0], ips: a[1], dnsNames: a[2], daysValid: a[3]),
                          key: try parsedKey(a[4]))
            },
            "genSignedCert": TemplateFunction(arguments: 5) { context, a in
                try issue(context, try CertificateRequest(commonName: a[0], ips: a[1], dnsNames: a[2], daysValid: a[3]),
                          key: nil, ca: a[4])
            },
            "genSignedCertWithKey": TemplateFunction(arguments: 6) { context, a in
                try issue(context, try CertificateRequest(commonName: a[0], ips: a[1], dnsNames: a[2], daysValid: a[3]),
                          key: try parsedKey(a[5]), ca: a[4])
            },
            "buildCustomCert": TemplateFunction(arguments: 2) { _, a in
                guard let cert = Data(base64Encoded: try SV.string(a[0])) else {
                    throw FunctionError("unable to decode base64 certificate")
                }
                guard let key = Data(base64Encoded: try SV.string(a[1])) else {
                    throw FunctionError("unable to decode base64 private key")
                }
                let certText = String(decoding: cert, as: UTF8.self), keyText = String(decoding: key, as: UTF8.self)
                guard let block = PEMBlock(first: certText) else { throw FunctionError("unable to decode certificate") }
                do { _ = try Certificate(derEncoded: block.bytes) } catch {
                    throw FunctionError("error parsing certificate: decodedCert.Bytes: \(error)")
                }
                do { _ = try SprigPrivateKey(pem: keyText) } catch let error as FunctionError {
                    throw FunctionError("error parsing private key: \(error.message)")
                }
                return .object(SprigCertificate(cert: certText, key: keyText))
            },
        ]
    }()
}
