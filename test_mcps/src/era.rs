//! Protocol eras: which MCP lifecycle the test server speaks.
//!
//! rmcp 3.11 serves both lifecycles by default: the 2026-07-28 `server/discover` probe with
//! per-request `_meta`, and the legacy `initialize` handshake. Gateways must cope with servers
//! that only know one of them, so [`Era`] narrows what this server accepts and [`EraGate`]
//! enforces it in front of the handler.
//!
//! Why a wrapper and not an overridden `ServerHandler::discover`: rmcp's server loop hands a
//! pre-lifecycle `server/discover` to `Service::handle_request`, and the blanket
//! `Service for ServerHandler` impl validates the request's `_meta` protocol version against
//! `supported_protocol_versions` *before* it dispatches to `discover`. A legacy server that only
//! narrowed its versions would therefore answer `-32022 UNSUPPORTED_PROTOCOL_VERSION` listing
//! old versions, which rmcp's `ClientLifecycleMode::Auto` client reads as "modern server, no
//! common version" and fails instead of falling back to `initialize`. A real pre-2026 server
//! answers an unknown method with `-32601 METHOD_NOT_FOUND`, which `Auto` does treat as legacy
//! and falls back on at once; [`EraGate`] answers exactly that before rmcp's check runs.
//!
//! Not handled here: tools, stdout, process behaviour.

use std::borrow::Cow;

use clap::ValueEnum;
use rmcp::{
    ErrorData, RoleServer, ServerHandler,
    model::{
        ClientNotification, ClientRequest, DiscoverRequestMethod, ProtocolVersion, ServerConfig,
        ServerResult,
    },
    service::{NotificationContext, RequestContext, Service},
};

/// The versions a 2026-07-28-only server supports.
const MODERN_ONLY: &[ProtocolVersion] = &[ProtocolVersion::V_2026_07_28];

/// Which lifecycle the server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Era {
    /// rmcp's default: answers `server/discover` and `initialize`, every known version.
    #[default]
    Both,
    /// A pre-2026 server: `server/discover` is `-32601 METHOD_NOT_FOUND`, versions stop at
    /// 2025-11-25.
    Legacy,
    /// A 2026-07-28-only server: `initialize` is refused with
    /// `-32022 UNSUPPORTED_PROTOCOL_VERSION`.
    Modern,
    /// Answers both lifecycles, but its `server/discover` advertises less than its `initialize`
    /// (no `resources.subscribe`, `logging` or `completions`; see `TestServer::discover`), like the
    /// MCP conformance suite's TypeScript reference server, which serves those on its legacy session
    /// only. Also over `--http`.
    Split,
}

impl Era {
    /// The protocol versions the server advertises and accepts in this era.
    pub fn supported_protocol_versions(self) -> Cow<'static, [ProtocolVersion]> {
        match self {
            Era::Both | Era::Split => Cow::Borrowed(ProtocolVersion::KNOWN_VERSIONS),
            Era::Legacy => Cow::Borrowed(ProtocolVersion::known_up_to(
                &ProtocolVersion::LATEST_WITH_INITIALIZE,
            )),
            Era::Modern => Cow::Borrowed(MODERN_ONLY),
        }
    }

    /// The version put in `ServerConfig`: rmcp falls back to it when a client asks
    /// `initialize` for a version the server cannot serve over that handshake.
    pub fn preferred_protocol_version(self) -> ProtocolVersion {
        match self {
            Era::Both | Era::Modern | Era::Split => ProtocolVersion::LATEST,
            Era::Legacy => ProtocolVersion::LATEST_WITH_INITIALIZE,
        }
    }
}

/// A handler wrapped so that requests outside its [`Era`] are refused the way a server of that
/// era would refuse them.
#[derive(Debug, Clone)]
pub struct EraGate<H> {
    era: Era,
    inner: H,
}

impl<H> EraGate<H> {
    /// Wrap `inner` so that it speaks only `era`.
    pub fn new(era: Era, inner: H) -> Self {
        Self { era, inner }
    }

    /// The refusal for `request` in this era, if it is refused.
    fn refusal(&self, request: &ClientRequest) -> Option<ErrorData> {
        match (self.era, request) {
            (Era::Legacy, ClientRequest::DiscoverRequest(_)) => {
                Some(ErrorData::method_not_found::<DiscoverRequestMethod>())
            }
            (Era::Modern, ClientRequest::InitializeRequest(request)) => {
                Some(ErrorData::unsupported_protocol_version(
                    request.params.protocol_version.clone(),
                    MODERN_ONLY,
                ))
            }
            _ => None,
        }
    }
}

impl<H: ServerHandler> Service<RoleServer> for EraGate<H> {
    async fn handle_request(
        &self,
        request: ClientRequest,
        context: RequestContext<RoleServer>,
    ) -> Result<ServerResult, ErrorData> {
        if let Some(error) = self.refusal(&request) {
            return Err(error);
        }
        Service::handle_request(&self.inner, request, context).await
    }

    async fn handle_notification(
        &self,
        notification: ClientNotification,
        context: NotificationContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        Service::handle_notification(&self.inner, notification, context).await
    }

    fn get_info(&self) -> ServerConfig {
        ServerHandler::get_info(&self.inner)
    }

    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        self.era.supported_protocol_versions()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_versions_stop_before_the_no_initialize_revision() {
        let versions = Era::Legacy.supported_protocol_versions();
        assert!(versions.contains(&ProtocolVersion::V_2025_11_25));
        assert!(versions.iter().all(ProtocolVersion::has_initialize));
    }

    #[test]
    fn modern_supports_only_2026_07_28() {
        assert_eq!(
            &*Era::Modern.supported_protocol_versions(),
            &[ProtocolVersion::V_2026_07_28]
        );
    }
}
