//! Gateway-key authentication: which configured gateway (if any) a presented key selects.
//!
//! Keys are compared in constant time: both sides are hashed with SHA-256 and the digests compared with
//! `subtle`, over every configured gateway without early exit, so neither timing nor length leaks which
//! prefix matched. This module does not read the key from the environment or headers; callers do.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::{GatewayConfig, GatewayEntry};

/// Why a key was refused. Messages never contain the key itself.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    #[error(
        "no gateway key: set ENKRYPT_GATEWAY_KEY in the MCP client's entry for this gateway (the key is one of the `gateways` keys of the config file)"
    )]
    Missing,
    #[error(
        "unknown gateway key ({masked}): it matches no gateway in {config}; check ENKRYPT_GATEWAY_KEY in the MCP client's config"
    )]
    Unknown { masked: String, config: String },
}

/// The index of the gateway whose key equals `presented`, compared in constant time.
pub fn find_gateway_index(
    config: &GatewayConfig,
    presented: Option<&str>,
) -> Result<usize, AuthError> {
    let presented = match presented.map(str::trim) {
        Some(key) if !key.is_empty() => key,
        _ => return Err(AuthError::Missing),
    };
    let digest = Sha256::digest(presented.as_bytes());
    let mut found: Option<usize> = None;
    for (index, gateway) in config.gateways.iter().enumerate() {
        let candidate = Sha256::digest(gateway.key.expose().as_bytes());
        let equal: bool = candidate.as_slice().ct_eq(digest.as_slice()).into();
        if equal && found.is_none() {
            found = Some(index);
        }
    }
    found.ok_or_else(|| AuthError::Unknown {
        masked: crate::secret::mask(presented),
        config: config.path.display().to_string(),
    })
}

/// The gateway whose key equals `presented`.
pub fn authenticate<'a>(
    config: &'a GatewayConfig,
    presented: Option<&str>,
) -> Result<&'a GatewayEntry, AuthError> {
    find_gateway_index(config, presented).map(|index| &config.gateways[index])
}
