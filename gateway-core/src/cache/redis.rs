//! The external cache: Redis or KeyDB, shared by every gateway process on the machine (or the team),
//! with an in-process [`LocalToolCache`] under it.
//!
//! Keys are the reference's: the MD5 hex of `{gateway_id}-{server}-tools` (tool lists, tool TTL), of
//! `{gateway_id}-mcp-config` (the gateway's config, secrets masked) and of `gateway_key-{key}` (its id;
//! both with the gateway TTL); values JSON text written with `SET … EX <ttl>`, plus the registry sets
//! `registry:{id}:servers` and `registry:gateway/user`.
//! Every operation has a short timeout. When Redis is down (at start or later) the gateway keeps
//! serving from the local layer, logs ONE warning per outage, and the connection manager reconnects by
//! itself; the first success after an outage logs that Redis is back. Nothing here ever fails a call.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::future::BoxFuture;
use md5::{Digest, Md5};
use redis::AsyncCommands;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use rmcp::model::Tool;
use serde::{Deserialize, Serialize};

use super::config_entry::{CachedConfig, config_key, key_map_key};
use super::{CacheKind, CachedTools, LocalToolCache, ToolCache, tools_key};
use crate::config::CommonConfig;

/// How long one Redis operation may take before the local layer answers instead.
const OP_TIMEOUT: Duration = Duration::from_millis(500);
/// The set of every gateway id that has cached something (no expiry, as in the reference).
const ALL_IDS: &str = "registry:gateway/user";

/// The Redis-backed cache.
pub struct RedisToolCache {
    conn: ConnectionManager,
    local: LocalToolCache,
    ttl: Duration,
    /// `host:port/db`, for messages (never the password).
    target: String,
    healthy: AtomicBool,
}

/// Why the external cache could not be set up at all (a malformed address; being down is not an error).
#[derive(Debug, thiserror::Error)]
#[error("external cache {target}: {reason}")]
pub struct RedisSetupError {
    target: String,
    reason: String,
}

/// The JSON stored under a config key.
#[derive(Serialize, Deserialize)]
struct StoredConfig {
    config: serde_json::Value,
    cached_at: f64,
    expires_at: f64,
}

/// The JSON stored under a tool-list key.
#[derive(Serialize, Deserialize)]
struct Stored {
    tools: Vec<Tool>,
    /// Seconds since the epoch.
    cached_at: f64,
    expires_at: f64,
}

fn epoch(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn from_epoch(secs: f64) -> SystemTime {
    UNIX_EPOCH + Duration::try_from_secs_f64(secs.max(0.0)).unwrap_or_default()
}

/// The reference's stored key: MD5 hex of the raw key.
pub fn hashed_key(raw: &str) -> String {
    Md5::digest(raw.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn servers_set(gateway_id: &str) -> String {
    format!("registry:{gateway_id}:servers")
}

impl RedisToolCache {
    /// Sets up the cache for `common`'s `enkrypt_cache_*` settings. Does not wait for Redis: the first
    /// operations fall back to the local layer until it answers.
    pub fn new(common: &CommonConfig) -> Result<Self, RedisSetupError> {
        let target = format!(
            "{}:{}/{}",
            common.cache_host, common.cache_port, common.cache_db
        );
        let mut settings = redis::RedisConnectionInfo::default().set_db(common.cache_db);
        if let Some(password) = &common.cache_password {
            settings = settings.set_password(password.expose());
        }
        let info = redis::IntoConnectionInfo::into_connection_info(redis::ConnectionAddr::Tcp(
            common.cache_host.clone(),
            common.cache_port,
        ))
        .map(|info| info.set_redis_settings(settings))
        .map_err(|e| RedisSetupError {
            target: target.clone(),
            reason: e.to_string(),
        })?;
        let client = redis::Client::open(info).map_err(|e| RedisSetupError {
            target: target.clone(),
            reason: e.to_string(),
        })?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(OP_TIMEOUT))
            .set_response_timeout(Some(OP_TIMEOUT))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_secs(2));
        let conn = ConnectionManager::new_lazy_with_config(client, config).map_err(|e| {
            RedisSetupError {
                target: target.clone(),
                reason: e.to_string(),
            }
        })?;
        Ok(Self {
            conn,
            local: LocalToolCache::with_config_ttl(
                common.tool_cache_expiration,
                common.gateway_cache_expiration,
            ),
            ttl: common.tool_cache_expiration,
            target,
            healthy: AtomicBool::new(true),
        })
    }

    /// Runs one Redis operation with the timeout; reports outages and recoveries once each.
    async fn attempt<T, F>(&self, what: &'static str, op: F) -> Option<T>
    where
        F: std::future::Future<Output = redis::RedisResult<T>>,
    {
        let outcome = match tokio::time::timeout(OP_TIMEOUT, op).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(error.to_string()),
            Err(_) => Err(format!("no answer within {OP_TIMEOUT:?}")),
        };
        match outcome {
            Ok(value) => {
                if !self.healthy.swap(true, Ordering::AcqRel) {
                    tracing::info!(target = %self.target, "external cache reachable again");
                }
                Some(value)
            }
            Err(error) => {
                if self.healthy.swap(false, Ordering::AcqRel) {
                    tracing::warn!(target = %self.target, op = what, %error, "external cache (Redis) unavailable; serving from the in-process cache and reconnecting in the background");
                }
                None
            }
        }
    }
}

impl ToolCache for RedisToolCache {
    fn kind(&self) -> CacheKind {
        CacheKind::External
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
            let key = hashed_key(&tools_key(gateway_id, server));
            let mut conn = self.conn.clone();
            let Some(text) = self
                .attempt(
                    "get",
                    async move { conn.get::<_, Option<String>>(key).await },
                )
                .await
            else {
                return self.local.get(gateway_id, server).await;
            };
            let stored: Stored = serde_json::from_str(&text?).ok()?;
            let entry = CachedTools {
                tools: Arc::new(stored.tools),
                cached_at: from_epoch(stored.cached_at),
                expires_at: from_epoch(stored.expires_at),
            };
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
            let entry = self.local.put(gateway_id, server, tools).await;
            let stored = Stored {
                tools: entry.tools.as_ref().clone(),
                cached_at: epoch(entry.cached_at),
                expires_at: epoch(entry.expires_at),
            };
            let Ok(text) = serde_json::to_string(&stored) else {
                return entry;
            };
            let ttl = self.ttl.as_secs().max(1);
            let key = hashed_key(&tools_key(gateway_id, server));
            let set = servers_set(gateway_id);
            let mut conn = self.conn.clone();
            let (id, name) = (gateway_id.to_string(), server.to_string());
            self.attempt("set", async move {
                redis::pipe()
                    .set_ex(&key, text, ttl)
                    .ignore()
                    .sadd(&set, &name)
                    .ignore()
                    .expire(&set, ttl as i64)
                    .ignore()
                    .sadd(ALL_IDS, &id)
                    .ignore()
                    .query_async::<()>(&mut conn)
                    .await
            })
            .await;
            entry
        })
    }

    fn remove<'a>(&'a self, gateway_id: &'a str, server: &'a str) -> BoxFuture<'a, bool> {
        Box::pin(async move {
            let local = self.local.remove(gateway_id, server).await;
            let key = hashed_key(&tools_key(gateway_id, server));
            let set = servers_set(gateway_id);
            let name = server.to_string();
            let mut conn = self.conn.clone();
            let removed = self
                .attempt("del", async move {
                    let (deleted,): (i64,) = redis::pipe()
                        .del(&key)
                        .srem(&set, &name)
                        .ignore()
                        .query_async(&mut conn)
                        .await?;
                    Ok(deleted)
                })
                .await;
            local || removed.unwrap_or(0) > 0
        })
    }

    fn entry_count(&self) -> BoxFuture<'_, u64> {
        Box::pin(async move {
            let mut conn = self.conn.clone();
            let counted = self
                .attempt("count", async move {
                    let ids: Vec<String> = conn.smembers(ALL_IDS).await?;
                    let mut total = 0u64;
                    for id in ids {
                        let servers: Vec<String> = conn.smembers(servers_set(&id)).await?;
                        for server in servers {
                            let exists: bool =
                                conn.exists(hashed_key(&tools_key(&id, &server))).await?;
                            total += u64::from(exists);
                        }
                    }
                    Ok(total)
                })
                .await;
            match counted {
                Some(n) => n,
                None => self.local.entry_count().await,
            }
        })
    }

    fn put_config<'a>(
        &'a self,
        gateway_id: &'a str,
        gateway_key: &'a str,
        config: serde_json::Value,
    ) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            self.local
                .put_config(gateway_id, gateway_key, config.clone())
                .await;
            let ttl = self.local.config_ttl();
            let now = SystemTime::now();
            let stored = StoredConfig {
                config,
                cached_at: epoch(now),
                expires_at: epoch(now + ttl),
            };
            let Ok(text) = serde_json::to_string(&stored) else {
                return;
            };
            let secs = ttl.as_secs().max(1);
            let key = hashed_key(&config_key(gateway_id));
            let map_key = hashed_key(&key_map_key(gateway_key));
            let (id, mut conn) = (gateway_id.to_string(), self.conn.clone());
            self.attempt("set config", async move {
                redis::pipe()
                    .set_ex(&key, text, secs)
                    .ignore()
                    .set_ex(&map_key, &id, secs)
                    .ignore()
                    .sadd(ALL_IDS, &id)
                    .ignore()
                    .query_async::<()>(&mut conn)
                    .await
            })
            .await;
        })
    }

    fn get_config<'a>(&'a self, gateway_id: &'a str) -> BoxFuture<'a, Option<CachedConfig>> {
        Box::pin(async move {
            let key = hashed_key(&config_key(gateway_id));
            let mut conn = self.conn.clone();
            let Some(text) = self
                .attempt("get config", async move {
                    conn.get::<_, Option<String>>(key).await
                })
                .await
            else {
                return self.local.get_config(gateway_id).await;
            };
            let stored: StoredConfig = serde_json::from_str(&text?).ok()?;
            let entry = CachedConfig {
                config: stored.config,
                cached_at: from_epoch(stored.cached_at),
                expires_at: from_epoch(stored.expires_at),
            };
            (!entry.is_expired()).then_some(entry)
        })
    }

    fn remove_config<'a>(&'a self, gateway_id: &'a str) -> BoxFuture<'a, bool> {
        Box::pin(async move {
            let local = self.local.remove_config(gateway_id).await;
            let key = hashed_key(&config_key(gateway_id));
            let mut conn = self.conn.clone();
            let removed = self
                .attempt("del config", async move { conn.del::<_, i64>(key).await })
                .await;
            local || removed.unwrap_or(0) > 0
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_md5_hex_of_the_reference_key() {
        // md5("id1-echo-tools"), as the reference's cache client stores it.
        assert_eq!(
            hashed_key("id1-echo-tools"),
            "39d873114a64e56632f981db2ffecae8"
        );
        assert_eq!(hashed_key(""), "d41d8cd98f00b204e9800998ecf8427e");
    }
}
