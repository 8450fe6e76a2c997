import Basics

/// A Service: healthy, except a LoadBalancer waits for its ingress address.
enum ServiceHealth {
    static func check(_ object: ValueObject) -> Health {
        guard object["spec"]?["type"]?.stringValue == "LoadBalancer" else { return .healthy }
        let ingress = object["status"]?["loadBalancer"]?["ingress"]?.arrayValue ?? []
        return ingress.isEmpty ? .progressing("waiting for a load balancer address") : .healthy
    }
}
