//! `tools/call` and `tools/list` on one upstream: the request timeout, progress routed to the caller,
//! cancellation sent upstream when a call is abandoned, and what the upstream asks back while a call
//! runs, put to the calling client across protocol eras (a 2026-07-28 client's call is parked and
//! answered `input_required`; a legacy client's questions are asked and the call driven to its end).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, InputRequiredResult, InputResponses, ProtocolVersion,
    Tool,
};
use tokio::sync::mpsc;

use super::UpstreamError;
use super::bridge::{self, Exchange, Parked};
use super::callers::{Ask, Caller, ProgressRoute, Target};
use super::handler::{CancelOnDrop, RouteGuard};
use super::lifecycle::Upstream;

/// The key of the one input request the gateway puts in an `input_required` result it makes.
const ASK_KEY: &str = "enkrypt_gateway_input";

impl Upstream {
    /// `tools/list` (all pages) with the request timeout.
    pub async fn list_tools(&self) -> Result<Vec<Tool>, UpstreamError> {
        let conn = self.connection().await?;
        match tokio::time::timeout(self.limits.request_timeout, conn.peer.list_all_tools()).await {
            Err(_) => Err(UpstreamError::Timeout {
                server: self.name.to_string(),
                what: "tools/list".into(),
                after: self.limits.request_timeout,
            }),
            Ok(Err(error)) => Err(self.classify(&conn, error)),
            Ok(Ok(tools)) => {
                self.record_success();
                Ok(tools)
            }
        }
    }

    /// `tools/call` with the request timeout. A late reply after a timeout is dropped (the request is
    /// cancelled upstream).
    pub async fn call_tool(
        self: &Arc<Self>,
        params: CallToolRequestParams,
    ) -> Result<CallToolResponse, UpstreamError> {
        self.call_tool_for(params, Caller::default()).await
    }

    /// [`Self::call_tool`] for `caller`: its progress notifications go to it, and what the upstream
    /// asks back while the call runs is put to that client, across protocol eras (`bridge.rs`).
    /// Abandoning the returned future (client cancel, timeout) cancels the request upstream.
    pub async fn call_tool_for(
        self: &Arc<Self>,
        mut params: CallToolRequestParams,
        caller: Caller,
    ) -> Result<CallToolResponse, UpstreamError> {
        let tool = params.name.to_string();
        if let Some(token) = params
            .request_state
            .clone()
            .filter(|state| bridge::is_park_token(state))
        {
            return self
                .resume(&token, &tool, params.input_responses.take())
                .await;
        }
        match caller.client {
            Some(client) if !client.is_legacy() => {
                let (asks_tx, asks) = mpsc::channel(4);
                let target = Target {
                    client,
                    asks: Some(asks_tx),
                    screen: caller.screen.clone(),
                };
                let screen_target = target.clone();
                let this = self.clone();
                let progress = caller.progress;
                let exchange = Exchange(tokio::spawn(async move {
                    this.call_round(params, progress, Some(target)).await
                }));
                let response = self.drive(exchange, asks, tool).await?;
                // The upstream's own `input_required`, passed through: screened like relayed asks.
                if let CallToolResponse::InputRequired(result) = &response
                    && !result
                        .request_state
                        .as_deref()
                        .is_some_and(bridge::is_park_token)
                {
                    for request in result.input_requests.iter().flat_map(|r| r.values()) {
                        screen_target
                            .screen(request)
                            .await
                            .map_err(|e| self.rpc_error(e.message.to_string()))?;
                    }
                }
                Ok(response)
            }
            client => {
                let target = client.clone().map(|client| Target {
                    client,
                    asks: None,
                    screen: caller.screen.clone(),
                });
                let mut rounds = 0u64;
                loop {
                    let response = self
                        .call_round(params.clone(), caller.progress.clone(), target.clone())
                        .await?;
                    let (CallToolResponse::InputRequired(result), Some(client)) =
                        (&response, &client)
                    else {
                        return Ok(response);
                    };
                    // A legacy client cannot take `input_required`: fulfil it for the client.
                    rounds += 1;
                    if rounds > bridge::MAX_ROUNDS as u64 {
                        return Err(self.rpc_error(format!(
                            "asked for client input {} times without finishing tools/call {tool}",
                            bridge::MAX_ROUNDS
                        )));
                    }
                    let requests = result.input_requests.clone().unwrap_or_default();
                    if requests.is_empty() {
                        tokio::time::sleep(Duration::from_millis(25 * rounds)).await;
                    }
                    let target = Target {
                        client: client.clone(),
                        asks: None,
                        screen: caller.screen.clone(),
                    };
                    let responses = bridge::fulfil_for_legacy(&target, &self.name, requests)
                        .await
                        .map_err(|e| self.rpc_error(e.message.to_string()))?;
                    params.input_responses = (!responses.is_empty()).then_some(responses);
                    params.request_state = result.request_state.clone();
                }
            }
        }
    }

    pub(super) fn rpc_error(&self, message: String) -> UpstreamError {
        UpstreamError::Rpc {
            server: self.name.to_string(),
            message,
        }
    }

    /// Waits for a call on its own task: its result, or a question for the 2026-07-28 client, which
    /// parks the call and answers the client `input_required`.
    async fn drive(
        &self,
        mut exchange: Exchange,
        mut asks: mpsc::Receiver<Ask>,
        tool: String,
    ) -> Result<CallToolResponse, UpstreamError> {
        enum Event {
            Done(Result<Result<CallToolResponse, UpstreamError>, tokio::task::JoinError>),
            Ask(Ask),
        }
        let event = tokio::select! {
            joined = &mut exchange.0 => Event::Done(joined),
            Some(ask) = asks.recv() => Event::Ask(ask),
        };
        match event {
            Event::Done(joined) => joined.unwrap_or_else(|error| {
                Err(self.rpc_error(format!("tools/call {tool} ended abnormally: {error}")))
            }),
            Event::Ask(ask) => Ok(self.park(exchange, asks, ask, tool)),
        }
    }

    fn park(
        &self,
        exchange: Exchange,
        asks: mpsc::Receiver<Ask>,
        ask: Ask,
        tool: String,
    ) -> CallToolResponse {
        let request = ask.request.clone();
        let token = self
            .parked
            .park(Parked::new(exchange, asks, ask, ASK_KEY.to_string(), tool));
        let requests = BTreeMap::from([(ASK_KEY.to_string(), request)]);
        CallToolResponse::InputRequired(InputRequiredResult::new(Some(requests), Some(token)))
    }

    /// A 2026-07-28 client's retry of a parked call: hands its answer to the waiting upstream request.
    async fn resume(
        &self,
        token: &str,
        tool: &str,
        responses: Option<InputResponses>,
    ) -> Result<CallToolResponse, UpstreamError> {
        let Some(parked) = self.parked.take(token, tool) else {
            return Err(self.rpc_error(format!(
                "the requestState of this tools/call {tool} does not match a call waiting for input (it was already answered, was for another tool, or expired after {} minutes); call the tool again",
                bridge::PARK_TTL.as_secs() / 60
            )));
        };
        let (key, request, reply) = parked.pending;
        match responses.and_then(|mut answers| answers.remove(&key)) {
            Some(answer) => {
                let _ = reply.send(Ok(answer));
                self.drive(parked.exchange, parked.asks, tool.to_string())
                    .await
            }
            // No answer to the question: ask it again.
            None => Ok(self.park(
                parked.exchange,
                parked.asks,
                Ask { request, reply },
                tool.to_string(),
            )),
        }
    }

    /// One `tools/call` request upstream with the request timeout.
    async fn call_round(
        &self,
        params: CallToolRequestParams,
        progress: Option<ProgressRoute>,
        target: Option<Target>,
    ) -> Result<CallToolResponse, UpstreamError> {
        use rmcp::model::{CallToolRequest, ClientRequest, ServerResult};
        let conn = self.connection().await?;
        let legacy_client = target.as_ref().is_some_and(|t| t.client.is_legacy());
        let peer = conn.call_peer(&params.name, legacy_client);
        // The upstream sees what the calling client supports (2026-07-28 carries it per request),
        // not the gateway's own superset: a server must not ask for what the client cannot give.
        let per_request_meta = peer
            .peer_info()
            .is_some_and(|info| info.protocol_version >= ProtocolVersion::V_2026_07_28);
        let options = match &target {
            // Legacy connections fixed the capabilities at `initialize`; only 2026 carries them.
            Some(target) if per_request_meta => {
                let mut meta = rmcp::model::RequestMetaObject::default();
                meta.set_client_capabilities(target.client.capabilities.clone());
                let mut options = rmcp::service::PeerRequestOptions::no_options();
                options.meta = Some(meta);
                options
            }
            _ => rmcp::service::PeerRequestOptions::no_options(),
        };
        let _in_flight = target.map(|t| self.in_flight.enter(t.client.session, t));
        let tool = params.name.to_string();
        let request = ClientRequest::CallToolRequest(CallToolRequest::new(params));
        let exchange = async {
            let handle = peer.send_request_with_option(request, options).await?;
            let route_guard = progress.map(|route| {
                if let Ok(mut routes) = self.progress.lock() {
                    routes.insert(handle.progress_token.clone(), route);
                }
                RouteGuard {
                    routes: self.progress.clone(),
                    token: handle.progress_token.clone(),
                }
            });
            let mut cancel = CancelOnDrop {
                peer: peer.clone(),
                id: Some(handle.id.clone()),
            };
            let result = handle.await_response().await;
            cancel.id = None;
            // rmcp hands each notification to its own task but answers responses at once: let the
            // progress notifications that arrived before this response reach the client first (the
            // route is removed when this block ends).
            if route_guard.is_some() {
                for _ in 0..4 {
                    tokio::task::yield_now().await;
                }
            }
            result
        };
        match tokio::time::timeout(self.limits.request_timeout, exchange).await {
            Err(_) => Err(UpstreamError::Timeout {
                server: self.name.to_string(),
                what: format!("tools/call {tool}"),
                after: self.limits.request_timeout,
            }),
            Ok(Err(error)) => Err(self.classify(&conn, error)),
            Ok(Ok(result)) => {
                self.record_success();
                match result {
                    ServerResult::CallToolResult(result) => Ok(CallToolResponse::Complete(result)),
                    ServerResult::InputRequiredResult(result) => {
                        Ok(CallToolResponse::InputRequired(result))
                    }
                    ServerResult::CreateTaskResult(result) => Ok(CallToolResponse::Task(result)),
                    _ => Err(UpstreamError::Rpc {
                        server: self.name.to_string(),
                        message: format!(
                            "answered tools/call {tool} with something that is not a tool result"
                        ),
                    }),
                }
            }
        }
    }
}
