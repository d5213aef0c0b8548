//! The gateway key in a client's entry: kept in the OS keychain and referenced as `${keyring:NAME}`
//! when a keychain is usable, in plain text otherwise ([`KeyDelivery`]).
//!
//! gateway-core resolves the reference when a client launches it (`cli`), so a synced or shared client
//! config never carries the key. The entry name is derived from the gateway id and a short digest of the
//! key ([`key_entry_name`]). Storing verifies by reading back; a failure is reported, never hidden.

use serde::Serialize;

use super::ClientError;
use crate::secret::Sensitive;
use crate::secrets::SecretStore;

/// How the gateway key is written into a client's entry.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KeyDelivery {
    /// The key itself, in plain text (no keychain available, or asked for).
    #[default]
    Plain,
    /// `${keyring:NAME}`: the key is in the OS keychain under `name`.
    Keychain {
        /// The keychain entry name.
        name: String,
    },
}

impl KeyDelivery {
    /// The value written as `env.ENKRYPT_GATEWAY_KEY` for `key`.
    pub fn env_value(&self, key: &Sensitive<String>) -> String {
        match self {
            KeyDelivery::Plain => key.expose().clone(),
            KeyDelivery::Keychain { name } => keyring_ref(name),
        }
    }
}

/// `${keyring:NAME}`.
pub fn keyring_ref(name: &str) -> String {
    format!("${{keyring:{name}}}")
}

/// The keychain entry name holding the key of gateway `gateway_id`: the id plus a short digest of the
/// key, so two configs that reuse an id never overwrite each other's key.
pub fn key_entry_name(gateway_id: &str, key: &Sensitive<String>) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(key.expose().as_bytes());
    let short: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    crate::secrets::sanitize_name(&format!("gateway-key.{gateway_id}.{short}"), 128)
}

/// Stores `key` in `store` under its entry name and reads it back: the delivery to use in entries.
pub fn store_in_keychain(
    store: &dyn SecretStore,
    gateway_id: &str,
    key: &Sensitive<String>,
) -> Result<KeyDelivery, ClientError> {
    let name = key_entry_name(gateway_id, key);
    let failed = |reason: String| ClientError::Keychain { reason };
    match store.get(&name) {
        Ok(Some(existing)) if existing == *key.expose() => {}
        Ok(_) => store
            .set(&name, key.expose())
            .map_err(|e| failed(e.to_string()))?,
        Err(e) => return Err(failed(e.to_string())),
    }
    match store.get(&name) {
        Ok(Some(back)) if back == *key.expose() => Ok(KeyDelivery::Keychain { name }),
        Ok(_) => Err(failed(format!(
            "the keychain did not return the value just stored under `{name}`"
        ))),
        Err(e) => Err(failed(e.to_string())),
    }
}

/// The delivery an up-to-date entry has now: the keychain reference when `store` already holds `key`
/// under its name, else plain. Never writes.
pub fn current_delivery(
    store: &dyn SecretStore,
    gateway_id: &str,
    key: &Sensitive<String>,
) -> KeyDelivery {
    let name = key_entry_name(gateway_id, key);
    match store.get(&name) {
        Ok(Some(value)) if value == *key.expose() => KeyDelivery::Keychain { name },
        _ => KeyDelivery::Plain,
    }
}

/// The delivery an install should use, and why it fell back to plain text when it did.
///
/// `plain` forces the plain key. A dry run never writes to the keychain: it reports the reference the
/// real run would write when the keychain answers.
pub fn choose_delivery(
    store: &dyn SecretStore,
    gateway_id: &str,
    key: &Sensitive<String>,
    dry_run: bool,
    plain: bool,
) -> (KeyDelivery, Option<String>) {
    if plain {
        return (
            KeyDelivery::Plain,
            Some("asked for (--plain-key)".to_owned()),
        );
    }
    if dry_run {
        let name = key_entry_name(gateway_id, key);
        return match store.get(&name) {
            Ok(_) => (KeyDelivery::Keychain { name }, None),
            Err(e) => (KeyDelivery::Plain, Some(e.to_string())),
        };
    }
    match store_in_keychain(store, gateway_id, key) {
        Ok(delivery) => (delivery, None),
        Err(ClientError::Keychain { reason }) => (KeyDelivery::Plain, Some(reason)),
        Err(other) => (KeyDelivery::Plain, Some(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::collections::HashMap;

    #[derive(Default)]
    struct Map(RefCell<HashMap<String, String>>);

    impl SecretStore for Map {
        fn get(&self, name: &str) -> Result<Option<String>, crate::secrets::SecretError> {
            Ok(self.0.borrow().get(name).cloned())
        }
        fn set(&self, name: &str, value: &str) -> Result<(), crate::secrets::SecretError> {
            self.0.borrow_mut().insert(name.into(), value.into());
            Ok(())
        }
    }

    #[test]
    fn the_entry_name_depends_on_id_and_key_and_is_valid() {
        let a = key_entry_name("gw 1", &Sensitive::new("k1".into()));
        let b = key_entry_name("gw 1", &Sensitive::new("k2".into()));
        assert_ne!(a, b);
        assert!(crate::secrets::is_valid_name(&a), "{a}");
        assert!(a.starts_with("gateway-key.gw"), "{a}");
        assert!(!a.contains("k1"));
    }

    #[test]
    fn storing_gives_a_reference_and_plain_stays_the_fallback() {
        let store = Map::default();
        let key = Sensitive::new("secret-gateway-key-0123456789".to_owned());
        assert_eq!(current_delivery(&store, "g", &key), KeyDelivery::Plain);
        let delivery = store_in_keychain(&store, "g", &key).expect("stored");
        let KeyDelivery::Keychain { name } = &delivery else {
            panic!("not a reference: {delivery:?}");
        };
        assert_eq!(delivery.env_value(&key), format!("${{keyring:{name}}}"));
        assert_eq!(current_delivery(&store, "g", &key), delivery);
        assert_eq!(KeyDelivery::Plain.env_value(&key), *key.expose());
    }
}
