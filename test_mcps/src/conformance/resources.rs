//! Resources: two static resources (text and PNG), one watched resource clients subscribe to,
//! and the template `test://template/{id}/data` whose reads echo `id` back.
//!
//! Subscriptions are only remembered (a per-connection set of URIs): nothing here changes a
//! resource, so no `notifications/resources/updated` is ever due. Unknown URIs are
//! `resource not found`; rmcp turns that code into `-32602` for 2026-07-28 peers (SEP-2164).

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
};

use rmcp::{
    ErrorData,
    model::{ReadResourceResult, Resource, ResourceContents, ResourceTemplate},
};
use serde_json::json;

use super::fixtures::{
    PNG_BASE64, PNG_MIME, STATIC_BINARY_URI, STATIC_TEXT, STATIC_TEXT_URI, TEMPLATE_PARTS,
    TEMPLATE_URI, WATCHED_TEXT, WATCHED_URI,
};

/// `resources/list`.
pub fn list() -> Vec<Resource> {
    vec![
        Resource::new(STATIC_TEXT_URI, "static-text")
            .with_title("Static Text Resource")
            .with_description("A static text resource for testing")
            .with_mime_type("text/plain"),
        Resource::new(STATIC_BINARY_URI, "static-binary")
            .with_title("Static Binary Resource")
            .with_description("A static binary resource (image) for testing")
            .with_mime_type(PNG_MIME),
        Resource::new(WATCHED_URI, "watched-resource")
            .with_title("Watched Resource")
            .with_description("A resource clients can subscribe to")
            .with_mime_type("text/plain"),
    ]
}

/// `resources/templates/list`.
pub fn templates() -> Vec<ResourceTemplate> {
    vec![
        ResourceTemplate::new(TEMPLATE_URI, "template")
            .with_title("Resource Template")
            .with_description("A resource template with parameter substitution")
            .with_mime_type("application/json"),
    ]
}

/// `resources/read` of `uri`.
pub fn read(uri: &str) -> Result<ReadResourceResult, ErrorData> {
    let contents = match uri {
        STATIC_TEXT_URI => ResourceContents::text(STATIC_TEXT, uri).with_mime_type("text/plain"),
        STATIC_BINARY_URI => ResourceContents::blob(PNG_BASE64, uri).with_mime_type(PNG_MIME),
        WATCHED_URI => ResourceContents::text(WATCHED_TEXT, uri).with_mime_type("text/plain"),
        _ => {
            let id = template_id(uri).ok_or_else(|| not_found(uri))?;
            let text =
                json!({ "id": id, "templateTest": true, "data": format!("Data for ID: {id}") });
            ResourceContents::text(text.to_string(), uri).with_mime_type("application/json")
        }
    };
    Ok(ReadResourceResult::new(vec![contents]))
}

/// Whether `uri` names a resource this server can read.
pub fn exists(uri: &str) -> bool {
    matches!(uri, STATIC_TEXT_URI | STATIC_BINARY_URI | WATCHED_URI) || template_id(uri).is_some()
}

/// The error for a URI that names no resource, carrying the URI as the spec suggests.
pub fn not_found(uri: &str) -> ErrorData {
    ErrorData::resource_not_found(
        format!("Resource not found: {uri}"),
        Some(json!({ "uri": uri })),
    )
}

/// The `{id}` of a URI matching the template: one non-empty path segment.
fn template_id(uri: &str) -> Option<&str> {
    let (prefix, suffix) = TEMPLATE_PARTS;
    let id = uri.strip_prefix(prefix)?.strip_suffix(suffix)?;
    (!id.is_empty() && !id.contains('/')).then_some(id)
}

/// The URIs one connection subscribed to.
#[derive(Debug, Clone, Default)]
pub struct Subscriptions(Arc<Mutex<HashSet<String>>>);

impl Subscriptions {
    /// Remember `uri`; fails for a URI that names no resource.
    pub fn subscribe(&self, uri: &str) -> Result<(), ErrorData> {
        if !exists(uri) {
            return Err(not_found(uri));
        }
        self.lock().insert(uri.to_owned());
        Ok(())
    }

    /// Forget `uri`; forgetting a URI never subscribed to is not an error.
    pub fn unsubscribe(&self, uri: &str) {
        self.lock().remove(uri);
    }

    /// Whether `uri` is subscribed to.
    pub fn contains(&self, uri: &str) -> bool {
        self.lock().contains(uri)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        // Single inserts and removes cannot leave the set half-updated: a poisoned lock is safe.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_reads_echo_the_id() {
        let result = read("test://template/123/data").expect("template URI");
        let text = serde_json::to_value(&result.contents[0]).expect("serialisable");
        assert!(
            text["text"]
                .as_str()
                .is_some_and(|t| t.contains("Data for ID: 123"))
        );
    }

    #[test]
    fn unknown_and_malformed_uris_are_not_found() {
        for uri in [
            "test://nope",
            "test://template//data",
            "test://template/a/b/data",
        ] {
            assert!(read(uri).is_err(), "{uri} should not be readable");
        }
    }

    #[test]
    fn subscribing_to_an_unknown_uri_fails() {
        let subscriptions = Subscriptions::default();
        assert!(subscriptions.subscribe("test://nope").is_err());
        subscriptions.subscribe(WATCHED_URI).expect("known URI");
        assert!(subscriptions.contains(WATCHED_URI));
        subscriptions.unsubscribe(WATCHED_URI);
        assert!(!subscriptions.contains(WATCHED_URI));
    }
}
