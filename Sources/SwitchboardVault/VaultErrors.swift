import SwitchboardCore

/// The vault's errors: stable codes, messages that name key ids and connections but never a secret.
public enum VaultErrors {
    /// 500 `VAULT_KEY_CONFIGURATION`: keys missing, malformed or unusable; raised at start-up.
    public static func keyConfiguration(_ message: String) -> SwitchboardError {
        SwitchboardError(code: "VAULT_KEY_CONFIGURATION", message: message, status: 500)
    }

    /// 500 `VAULT_KEY_MISSING`: a record is wrapped by a key this process does not have.
    public static func keyMissing(_ id: String) -> SwitchboardError {
        SwitchboardError(
            code: "VAULT_KEY_MISSING",
            message: "master key \(id) is not loaded: set SWITCHBOARD_MASTER_KEY or restore its key file", status: 500)
    }

    /// 500 `VAULT_DECRYPTION_FAILED`: the key is there but the record does not authenticate (tampered or swapped).
    public static func decryption(connectionId: String, keyId: String) -> SwitchboardError {
        SwitchboardError(
            code: "VAULT_DECRYPTION_FAILED",
            message: "the credentials of connection \(connectionId) do not decrypt under master key \(keyId)", status: 500)
    }

    public static func noCredentials(_ connectionId: String) -> SwitchboardError {
        SwitchboardError(code: "CREDENTIALS_NOT_FOUND", message: "connection \(connectionId) has no credentials", status: 404)
    }

    /// 502 `OAUTH_ERROR`: the authorization server refused or answered something unusable.
    public static func oauth(_ message: String, code: String = "OAUTH_ERROR", status: Int = 502) -> SwitchboardError {
        SwitchboardError(code: code, message: message, status: status)
    }
}
