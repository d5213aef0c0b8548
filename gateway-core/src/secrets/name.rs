//! Secret names: [`validate_name`] with the keychain's error type; what a valid name is and how one
//! is made from text live in [`crate::secret::names`].

use super::error::SecretError;
pub use crate::secret::names::{MAX_NAME_LEN, is_valid_name, sanitize_name};

/// `Ok(())` for a valid name, else [`SecretError::InvalidName`].
pub fn validate_name(name: &str) -> Result<(), SecretError> {
    if is_valid_name(name) {
        Ok(())
    } else {
        Err(SecretError::InvalidName {
            name: name.chars().take(64).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalid_name_is_refused_with_its_code() {
        let error = validate_name("bad name").expect_err("invalid");
        assert_eq!(error.code(), "secret_invalid_name");
        assert!(error.to_string().contains("`bad name`"));
        assert!(validate_name("github.GITHUB_TOKEN").is_ok());
    }
}
