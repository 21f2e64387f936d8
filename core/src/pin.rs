//! Technician PINs: hashed with Argon2id, never stored or logged in clear.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};

/// A PIN that cannot be hashed.
#[derive(Debug, thiserror::Error)]
#[error("cannot hash the PIN: {0}")]
pub struct PinHashError(String);

/// Hashes a PIN as an Argon2id PHC string (`$argon2id$v=19$…`) with a random salt.
pub fn hash(pin: &str) -> Result<String, PinHashError> {
    Argon2::default()
        .hash_password(pin.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| PinHashError(e.to_string()))
}

/// Whether `pin` matches a PHC hash. A malformed hash matches nothing.
pub fn verify(pin: &str, phc: &str) -> bool {
    Argon2::default().verify_password(pin.as_bytes(), phc).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify() {
        let phc = hash("2468").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(!phc.contains("2468"));
        assert!(verify("2468", &phc));
        assert!(!verify("2469", &phc));
        assert!(!verify("2468", "not a hash"));
        assert_ne!(phc, hash("2468").unwrap(), "salts must differ");
    }
}
