import Foundation

/// The private part of the seed for charts' random functions: `GITOPS_RANDOM_SEED`, when set.
/// Seeded renders repeat (no false drift), but without a private part anyone who can read the
/// repository can recompute a generated password or key; set it where the real ones are rendered.
enum RandomSeed {
    static var secret: String? {
        guard let value = ProcessInfo.processInfo.environment["GITOPS_RANDOM_SEED"], !value.isEmpty else { return nil }
        return value
    }
}
