//! Where an HTTP request's gateway key comes from, and the 401 answer when it is missing or unknown.
//!
//! `Authorization: Bearer <key>` is the standard; the reference's `apikey` header (and its
//! `ENKRYPT_GATEWAY_KEY` header spelling) are accepted too, so existing clients keep working. The
//! answer never echoes the key.

use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};

use crate::auth::AuthError;
use crate::secret::Sensitive;

/// Where the gateway key of a request comes from.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// Each request's headers (the default).
    Headers,
    /// One key for every request (`--no-auth`: the key from `ENKRYPT_GATEWAY_KEY`).
    Fixed(Sensitive<String>),
}

/// The key a request presents: bearer token first, then the reference's headers.
pub fn presented_key(headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_string())
        })
        .filter(|t| !t.is_empty());
    bearer.or_else(|| {
        ["apikey", "enkrypt_gateway_key", "x-enkrypt-gateway-key"]
            .iter()
            .find_map(|name| headers.get(*name))
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    })
}

/// 401 with a JSON body `{error: {code, message}}` and a `WWW-Authenticate` challenge.
pub fn unauthorized(error: &AuthError) -> Response {
    let code = match error {
        AuthError::Missing => "missing_gateway_key",
        AuthError::Unknown { .. } => "unknown_gateway_key",
    };
    let message = match error {
        AuthError::Missing => {
            "no gateway key: send `Authorization: Bearer <gateway key>` (or the `apikey` header)"
                .to_string()
        }
        AuthError::Unknown { masked, .. } => {
            format!("unknown gateway key ({masked}): it matches no gateway in the config")
        }
    };
    let body = serde_json::json!({"error": {"code": code, "message": message}});
    let mut response = (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"enkrypt-secure-mcp-gateway\""),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn bearer_wins_over_apikey_and_scheme_is_case_insensitive() {
        let h = headers(&[("authorization", "bearer abc"), ("apikey", "other")]);
        assert_eq!(presented_key(&h).as_deref(), Some("abc"));
    }

    #[test]
    fn the_reference_apikey_header_is_accepted() {
        assert_eq!(
            presented_key(&headers(&[("apikey", " k1 ")])).as_deref(),
            Some("k1")
        );
    }

    #[test]
    fn other_schemes_and_empty_values_present_no_key() {
        assert_eq!(
            presented_key(&headers(&[("authorization", "Basic abc")])),
            None
        );
        assert_eq!(
            presented_key(&headers(&[("authorization", "Bearer ")])),
            None
        );
        assert_eq!(presented_key(&HeaderMap::new()), None);
    }
}
