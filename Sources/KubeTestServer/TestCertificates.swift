import Crypto
import Foundation
import SwiftASN1
import X509

/// A CA and a server certificate for 127.0.0.1 and localhost, made fresh for each server; the CA
/// also signs client certificates for tests of certificate authentication.
struct TestCertificates: @unchecked Sendable {
    var caPEM: String
    var serverCertificatePEM: String
    var serverKeyPEM: String
    private let caKey: P256.Signing.PrivateKey
    private let caName: DistinguishedName

    init() throws {
        caKey = P256.Signing.PrivateKey()
        caName = try DistinguishedName { CommonName("kube-test-server CA") }
        let ca = try Self.certificate(subject: caName, key: caKey.publicKey, issuer: caName, issuerKey: caKey, extensions: try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            Critical(KeyUsage(keyCertSign: true, cRLSign: true))
        })
        let serverKey = P256.Signing.PrivateKey()
        let server = try Self.certificate(subject: try DistinguishedName { CommonName("kube-test-server") }, key: serverKey.publicKey,
                                          issuer: caName, issuerKey: caKey, extensions: try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
            try ExtendedKeyUsage([.serverAuth])
            SubjectAlternativeNames([.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))])
        })
        caPEM = try ca.serializeAsPEM().pemString
        serverCertificatePEM = try server.serializeAsPEM().pemString
        serverKeyPEM = serverKey.pemRepresentation
    }

    /// A client certificate for `user` (its common name), signed by this CA.
    func clientCertificate(user: String) throws -> (certificatePEM: String, keyPEM: String) {
        let key = P256.Signing.PrivateKey()
        let certificate = try Self.certificate(subject: try DistinguishedName { CommonName(user) }, key: key.publicKey,
                                               issuer: caName, issuerKey: caKey, extensions: try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            try ExtendedKeyUsage([.clientAuth])
        })
        return (try certificate.serializeAsPEM().pemString, key.pemRepresentation)
    }

    /// The common name of a DER certificate's subject.
    static func commonName(der: [UInt8]) -> String? {
        guard let certificate = try? Certificate(derEncoded: der) else { return nil }
        for rdn in certificate.subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                return attribute.value.description
            }
        }
        return nil
    }

    private static func certificate(subject: DistinguishedName, key: P256.Signing.PublicKey, issuer: DistinguishedName,
                                    issuerKey: P256.Signing.PrivateKey, extensions: Certificate.Extensions) throws -> Certificate {
        let now = Date()
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(key),
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(86_400),
            issuer: issuer, subject: subject, signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions,
            issuerPrivateKey: Certificate.PrivateKey(issuerKey))
    }
}
