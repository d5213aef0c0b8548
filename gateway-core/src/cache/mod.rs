//! Cache of discovered upstream tool lists and of each gateway's config, behind a small trait: in
//! process or in Redis/KeyDB.
//!
//! Keys follow the reference: `{gateway_id}-{server_name}-tools` for tool lists, `{gateway_id}-mcp-config`
//! and `gateway_key-{key}` for the config (`config_entry.rs`: secrets masked, key hashed). The in-process implementation
//! ([`LocalToolCache`]) is a bounded `moka` cache with the `enkrypt_tool_cache_expiration` TTL; with
//! `enkrypt_mcp_use_external_cache` the tool lists are shared through Redis (`redis.rs`), with the local
//! cache under it for outages. Entries carry their own timestamps so `enkrypt_get_cache_status` can
//! report expiry as the reference does. Guardrail verdicts are never cached.

pub mod config_entry;
pub mod redis;
pub mod snapshot;

pub use config_entry::CachedConfig;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures::future::BoxFuture;
use rmcp::model::Tool;

/// One cached tool list.
#[derive(Debug, Clone)]
pub struct CachedTools {
    pub tools: Arc<Vec<Tool>>,
    pub cached_at: SystemTime,
    pub expires_at: SystemTime,
}

impl CachedTools {
    pub fn is_expired(&self) -> bool {
        SystemTime::now() >= self.expires_at
    }
}

/// Which backend a cache is (reported by `enkrypt_get_cache_status` as `cache_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheKind {
    Local,
    External,
}

impl CacheKind {
    /// The reference's spelling.
    pub fn as_reference_str(self) -> &'static str {
        match self {
            CacheKind::Local => "local",
            CacheKind::External => "external_cache",
        }
    }
}

/// Where tool lists are kept. Object-safe so the gateway can hold an `Arc<dyn ToolCache>`.
pub trait ToolCache: Send + Sync {
    fn kind(&self) -> CacheKind;
    fn ttl(&self) -> Duration;
    fn get<'a>(
        &'a self,
        gateway_id: &'a str,
        server: &'a str,
    ) -> BoxFuture<'a, Option<CachedTools>>;
    fn put<'a>(
        &'a self,
        gateway_id: &'a str,
        server: &'a str,
        tools: Vec<Tool>,
    ) -> BoxFuture<'a, CachedTools>;
    /// Removes one server's entry; true when there was one.
    fn remove<'a>(&'a self, gateway_id: &'a str, server: &'a str) -> BoxFuture<'a, bool>;
    /// Number of live tool-list entries across all gateways.
    fn entry_count(&self) -> BoxFuture<'_, u64>;
    /// Caches gateway `gateway_id`'s shareable config and its key → id mapping for the gateway TTL.
    fn put_config<'a>(
        &'a self,
        gateway_id: &'a str,
        gateway_key: &'a str,
        config: serde_json::Value,
    ) -> BoxFuture<'a, ()>;
    /// The cached config of `gateway_id`, if live.
    fn get_config<'a>(&'a self, gateway_id: &'a str) -> BoxFuture<'a, Option<CachedConfig>>;
    /// Drops the cached config of `gateway_id`; true when there was one.
    fn remove_config<'a>(&'a self, gateway_id: &'a str) -> BoxFuture<'a, bool>;
}

/// The cache the config asks for: Redis when `enkrypt_mcp_use_external_cache` is on (falling back to
/// the in-process cache, with a warning, if its address is unusable), else in process.
pub fn for_config(common: &crate::config::CommonConfig) -> Arc<dyn ToolCache> {
    if common.use_external_cache {
        match redis::RedisToolCache::new(common) {
            Ok(cache) => return Arc::new(cache),
            Err(error) => {
                tracing::warn!(%error, "external cache disabled; using the in-process cache")
            }
        }
    }
    Arc::new(LocalToolCache::with_config_ttl(
        common.tool_cache_expiration,
        common.gateway_cache_expiration,
    ))
}

/// Reference key format for a server's tool list.
pub fn tools_key(gateway_id: &str, server: &str) -> String {
    format!("{gateway_id}-{server}-tools")
}

/// The in-process cache (moka): bounded, TTL from the config.
#[derive(Clone)]
pub struct LocalToolCache {
    inner: moka::future::Cache<String, CachedTools>,
    ttl: Duration,
    /// A handful of entries (one per gateway): a map with expiry checked on read is enough.
    configs: Arc<std::sync::Mutex<std::collections::HashMap<String, CachedConfig>>>,
    config_ttl: Duration,
}

impl LocalToolCache {
    /// Tool lists for `ttl`, configs for the reference's default 24 hours.
    pub fn new(ttl: Duration) -> Self {
        Self::with_config_ttl(ttl, Duration::from_secs(24 * 3600))
    }

    /// Tool lists for `ttl`, configs for `config_ttl`.
    pub fn with_config_ttl(ttl: Duration, config_ttl: Duration) -> Self {
        let inner = moka::future::Cache::builder()
            .max_capacity(10_000)
            .time_to_live(ttl.max(Duration::from_secs(1)))
            .build();
        Self {
            inner,
            ttl,
            configs: Arc::default(),
            config_ttl,
        }
    }

    /// How long configs stay cached.
    pub fn config_ttl(&self) -> Duration {
        self.config_ttl
    }
}

impl ToolCache for LocalToolCache {
    fn kind(&self) -> CacheKind {
        CacheKind::Local
    }

    fn ttl(&self) -> Duration {
        self.ttl
    }

    fn get<'a>(
        &'a self,
        gateway_id: &'a str,
        server: &'a str,
    ) -> BoxFuture<'a, Option<CachedTools>> {
        Box::pin(async move {
            let entry = self.inner.get(&tools_key(gateway_id, server)).await?;
            (!entry.is_expired()).then_some(entry)
        })
    }

    fn put<'a>(
        &'a self,
        gateway_id: &'a str,
        server: &'a str,
        tools: Vec<Tool>,
    ) -> BoxFuture<'a, CachedTools> {
        Box::pin(async move {
            let now = SystemTime::now();
            let entry = CachedTools {
                tools: Arc::new(tools),
                cached_at: now,
                expires_at: now + self.ttl,
            };
            self.inner
                .insert(tools_key(gateway_id, server), entry.clone())
                .await;
            entry
        })
    }

    fn remove<'a>(&'a self, gateway_id: &'a str, server: &'a str) -> BoxFuture<'a, bool> {
        Box::pin(async move {
            self.inner
                .remove(&tools_key(gateway_id, server))
                .await
                .is_some()
        })
    }

    fn entry_count(&self) -> BoxFuture<'_, u64> {
        Box::pin(async move {
            self.inner.run_pending_tasks().await;
            self.inner.iter().filter(|(_, v)| !v.is_expired()).count() as u64
        })
    }

    fn put_config<'a>(
        &'a self,
        gateway_id: &'a str,
        _gateway_key: &'a str,
        config: serde_json::Value,
    ) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let now = SystemTime::now();
            let entry = CachedConfig {
                config,
                cached_at: now,
                expires_at: now + self.config_ttl,
            };
            if let Ok(mut configs) = self.configs.lock() {
                configs.retain(|_, e| !e.is_expired());
                configs.insert(config_entry::config_key(gateway_id), entry);
            }
        })
    }

    fn get_config<'a>(&'a self, gateway_id: &'a str) -> BoxFuture<'a, Option<CachedConfig>> {
        Box::pin(async move {
            let configs = self.configs.lock().ok()?;
            let entry = configs.get(&config_entry::config_key(gateway_id))?;
            (!entry.is_expired()).then(|| entry.clone())
        })
    }

    fn remove_config<'a>(&'a self, gateway_id: &'a str) -> BoxFuture<'a, bool> {
        Box::pin(async move {
            self.configs
                .lock()
                .is_ok_and(|mut c| c.remove(&config_entry::config_key(gateway_id)).is_some())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn put_get_remove_round_trip() {
        let cache = LocalToolCache::new(Duration::from_secs(3600));
        assert!(cache.get("g", "s").await.is_none());
        cache.put("g", "s", vec![Tool::default()]).await;
        let hit = cache.get("g", "s").await.expect("cached");
        assert_eq!(hit.tools.len(), 1);
        assert_eq!(cache.entry_count().await, 1);
        assert!(cache.remove("g", "s").await);
        assert!(!cache.remove("g", "s").await);
    }

    #[test]
    fn key_matches_the_reference_format() {
        assert_eq!(tools_key("id1", "echo"), "id1-echo-tools");
    }
}
