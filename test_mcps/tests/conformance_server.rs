//! `conformance-server` answers as the MCP conformance suite expects, over a real stdio process
//! boundary: the way a gateway launches it as an upstream.
//!
//! Each test spawns the binary, connects rmcp's client (legacy `initialize` or 2026-07-28
//! `server/discover`) and checks one surface against the suite's fixed names and texts. The
//! client answers elicitation like the suite does, so server-to-client requests (legacy) and
//! `InputRequiredResult` rounds (2026-07-28) are exercised end to end.

use std::{process::Stdio, time::Duration};

use anyhow::Context as _;
use rmcp::{
    ClientHandler, ClientLifecycleMode, ErrorData, RoleClient,
    model::{
        CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, ContentBlock,
        ElicitRequestParams, ElicitResult, ElicitationAction, GetPromptRequestParams,
        Implementation, ProtocolVersion, ReadResourceRequestParams, ResourceContents,
    },
    service::{ClientServiceExt as _, RequestContext, RunningService},
};
use serde_json::json;
use tokio::process::{Child, Command};

/// Upper bound for any single step: spawn, handshake, one call.
const STEP: Duration = Duration::from_secs(10);
/// The 1x1 PNG of the suite's reference server.
const PNG_BASE64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

/// A client that declares elicitation and accepts every form with the suite's answers.
#[derive(Debug, Clone, Default)]
struct SuiteLikeClient;

impl ClientHandler for SuiteLikeClient {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::builder().enable_elicitation().build(),
            Implementation::new("conformance-server-test", "1.0.0"),
        )
    }

    async fn create_elicitation(
        &self,
        _request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        Ok(
            ElicitResult::new(ElicitationAction::Accept).with_content(json!({
                "username": "testuser",
                "email": "test@example.com",
                "name": "Alice"
            })),
        )
    }
}

type Client = RunningService<RoleClient, SuiteLikeClient>;

/// Spawn `conformance-server` on stdio and connect with `lifecycle`.
async fn start(lifecycle: ClientLifecycleMode) -> anyhow::Result<(Child, Client)> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_conformance-server"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("spawning conformance-server")?;
    let stdin = child.stdin.take().context("child stdin is not piped")?;
    let stdout = child.stdout.take().context("child stdout is not piped")?;
    let client = tokio::time::timeout(
        STEP,
        SuiteLikeClient.serve_with_lifecycle((stdout, stdin), lifecycle),
    )
    .await
    .context("handshake did not finish in time")??;
    Ok((child, client))
}

fn legacy() -> ClientLifecycleMode {
    ClientLifecycleMode::Initialize
}

fn modern() -> ClientLifecycleMode {
    ClientLifecycleMode::Discover {
        preferred_versions: vec![ProtocolVersion::V_2026_07_28],
    }
}

/// Close the client, then wait for the server to exit on its own once stdin closes.
async fn stop(client: Client, mut child: Child) -> anyhow::Result<()> {
    drop(client);
    let status = tokio::time::timeout(STEP, child.wait())
        .await
        .context("server did not exit after stdin closed")??;
    anyhow::ensure!(status.success(), "server exited with {status}");
    Ok(())
}

async fn call(client: &Client, name: &str) -> anyhow::Result<CallToolResult> {
    let params = CallToolRequestParams::new(name.to_owned()).with_arguments(serde_json::Map::new());
    Ok(tokio::time::timeout(STEP, client.call_tool(params)).await??)
}

fn texts(content: &[ContentBlock]) -> Vec<&str> {
    content
        .iter()
        .filter_map(|block| block.as_text().map(|text| text.text.as_str()))
        .collect()
}

#[tokio::test]
async fn tools_list_names_the_suite_tools_in_both_lifecycles() -> anyhow::Result<()> {
    for lifecycle in [legacy(), modern()] {
        let (child, client) = start(lifecycle).await?;
        let tools = tokio::time::timeout(STEP, client.list_all_tools()).await??;
        for expected in [
            "test_simple_text",
            "test_image_content",
            "test_audio_content",
            "test_embedded_resource",
            "test_multiple_content_types",
            "test_tool_with_logging",
            "test_tool_with_progress",
            "test_error_handling",
            "test_sampling",
            "test_elicitation",
            "test_elicitation_sep1034_defaults",
            "test_elicitation_sep1330_enums",
            "test_reconnection",
            "json_schema_2020_12_tool",
            "test_input_required_result_elicitation",
        ] {
            let tool = tools
                .iter()
                .find(|tool| tool.name == expected)
                .with_context(|| format!("{expected} missing from tools/list"))?;
            assert!(tool.description.as_deref().is_some_and(|d| !d.is_empty()));
        }
        let schema_tool = tools
            .iter()
            .find(|tool| tool.name == "json_schema_2020_12_tool")
            .context("json_schema_2020_12_tool missing")?;
        let schema = &schema_tool.input_schema;
        assert_eq!(
            schema.get("$schema"),
            Some(&json!("https://json-schema.org/draft/2020-12/schema"))
        );
        assert!(
            schema
                .get("$defs")
                .is_some_and(|defs| defs["address"]["$anchor"] == "addressDef")
        );
        assert_eq!(schema.get("additionalProperties"), Some(&json!(false)));
        stop(client, child).await?;
    }
    Ok(())
}

#[tokio::test]
async fn content_tools_return_the_suite_payloads() -> anyhow::Result<()> {
    let (child, client) = start(legacy()).await?;

    let text = call(&client, "test_simple_text").await?;
    assert_eq!(
        texts(&text.content),
        ["This is a simple text response for testing."]
    );

    let image = call(&client, "test_image_content").await?;
    let image = image.content[0].as_image().context("not an image")?;
    assert_eq!(
        (image.data.as_str(), image.mime_type.as_str()),
        (PNG_BASE64, "image/png")
    );

    let audio = call(&client, "test_audio_content").await?;
    let audio = audio.content[0].as_audio().context("not audio")?;
    assert_eq!(audio.mime_type, "audio/wav");

    let error = call(&client, "test_error_handling").await?;
    assert_eq!(error.is_error, Some(true));
    assert_eq!(
        texts(&error.content),
        ["This tool intentionally returns an error for testing"]
    );
    stop(client, child).await
}

#[tokio::test]
async fn resources_read_text_binary_and_template() -> anyhow::Result<()> {
    let (child, client) = start(legacy()).await?;
    let read = |uri: &'static str| {
        let client = &client;
        async move {
            let request = ReadResourceRequestParams::new(uri);
            anyhow::Ok(tokio::time::timeout(STEP, client.read_resource(request)).await??)
        }
    };

    match &read("test://static-text").await?.contents[..] {
        [
            ResourceContents::TextResourceContents {
                text, mime_type, ..
            },
        ] => {
            assert_eq!(text, "This is the content of the static text resource.");
            assert_eq!(mime_type.as_deref(), Some("text/plain"));
        }
        other => anyhow::bail!("unexpected static-text contents {other:?}"),
    }
    match &read("test://static-binary").await?.contents[..] {
        [ResourceContents::BlobResourceContents { blob, .. }] => assert_eq!(blob, PNG_BASE64),
        other => anyhow::bail!("unexpected static-binary contents {other:?}"),
    }
    match &read("test://template/123/data").await?.contents[..] {
        [ResourceContents::TextResourceContents { text, uri, .. }] => {
            assert_eq!(uri, "test://template/123/data");
            let data: serde_json::Value = serde_json::from_str(text)?;
            assert_eq!(data["id"], "123");
        }
        other => anyhow::bail!("unexpected template contents {other:?}"),
    }
    let missing = tokio::time::timeout(
        STEP,
        client.read_resource(ReadResourceRequestParams::new("test://no-such-resource")),
    )
    .await?;
    assert!(missing.is_err(), "an unknown URI must be an error");
    stop(client, child).await
}

#[tokio::test]
async fn prompts_substitute_arguments_and_embed_resources() -> anyhow::Result<()> {
    let (child, client) = start(legacy()).await?;
    let get = |name: &'static str, arguments: serde_json::Value| {
        let client = &client;
        async move {
            let mut request = GetPromptRequestParams::new(name);
            request.arguments = arguments.as_object().cloned();
            anyhow::Ok(tokio::time::timeout(STEP, client.get_prompt(request)).await??)
        }
    };

    let with_args = get(
        "test_prompt_with_arguments",
        json!({ "arg1": "testValue1", "arg2": "testValue2" }),
    )
    .await?;
    let text = with_args.messages[0]
        .content
        .as_text()
        .context("not text")?;
    assert_eq!(
        text.text,
        "Prompt with arguments: arg1='testValue1', arg2='testValue2'"
    );

    let embedded = get(
        "test_prompt_with_embedded_resource",
        json!({ "resourceUri": "test://example-resource" }),
    )
    .await?;
    let resource = embedded.messages[0]
        .content
        .as_resource()
        .context("first message is not a resource")?;
    assert!(matches!(
        &resource.resource,
        ResourceContents::TextResourceContents { uri, .. } if uri == "test://example-resource"
    ));

    let image = get("test_prompt_with_image", json!({})).await?;
    assert!(image.messages[0].content.as_image().is_some());
    stop(client, child).await
}

#[tokio::test]
async fn elicitation_tool_asks_the_client_mid_call() -> anyhow::Result<()> {
    let (child, client) = start(legacy()).await?;
    let params = CallToolRequestParams::new("test_elicitation").with_arguments(
        serde_json::Map::from_iter([(
            "message".to_owned(),
            json!("Please provide your information"),
        )]),
    );
    let result = tokio::time::timeout(STEP, client.call_tool(params)).await??;
    assert_ne!(result.is_error, Some(true), "{result:?}");
    let [text] = texts(&result.content)[..] else {
        anyhow::bail!("expected one text item, got {:?}", result.content);
    };
    assert!(
        text.starts_with("User response: action=accept, content="),
        "{text}"
    );
    assert!(text.contains("testuser"), "{text}");
    stop(client, child).await
}

#[tokio::test]
async fn input_required_rounds_complete_for_a_2026_client() -> anyhow::Result<()> {
    let (child, client) = start(modern()).await?;
    // rmcp's client answers the InputRequiredResult through its handler and retries.
    let result = call(&client, "test_input_required_result_elicitation").await?;
    assert_eq!(texts(&result.content), ["Hello, Alice!"]);
    stop(client, child).await
}
