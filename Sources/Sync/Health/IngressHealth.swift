import Basics

/// An Ingress: healthy once its controller published an address.
enum IngressHealth {
    static func check(_ object: ValueObject) -> Health {
        let ingress = object["status"]?["loadBalancer"]?["ingress"]?.arrayValue ?? []
        return ingress.isEmpty ? .progressing("waiting for an address from the ingress controller") : .healthy
    }
}
