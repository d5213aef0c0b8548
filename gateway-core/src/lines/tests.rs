//! The line transport on in-memory pipes: answers to bad lines, and the direct decoding checked
//! against rmcp's own for the same lines.

use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, ClientJsonRpcMessage, ClientRequest, JsonRpcMessage, RequestId,
    ServerJsonRpcMessage,
};
use rmcp::transport::Transport;
use rmcp::{RoleClient, RoleServer};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

use super::LineTransport;
use super::fast::{PendingCalls, Side};

const CALL: &str = r#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hi","n":[1,2.5,null]},"_meta":{"progressToken":"p1","x":{"y":1}}}}"#;

const RESULT: &str = r#"{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"hi"},{"type":"image","data":"AAAA","mimeType":"image/png"}],"structuredContent":{"a":1},"isError":false,"_meta":{"m":true}}}"#;

fn as_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("serializes")
}

#[test]
fn a_tools_call_request_decodes_as_rmcp_decodes_it() {
    let fast =
        <RoleServer as Side>::decode_fast(&(), CALL.as_bytes()).expect("takes the fast path");
    let generic: ClientJsonRpcMessage = serde_json::from_str(CALL).expect("rmcp decodes it");
    assert_eq!(as_json(&fast), as_json(&generic));
    let JsonRpcMessage::Request(request) = fast else {
        panic!("a request")
    };
    assert!(matches!(request.request, ClientRequest::CallToolRequest(_)));
    assert_eq!(request.id, RequestId::Number(7));
}

#[test]
fn other_requests_and_odd_shapes_take_rmcps_path() {
    for line in [
        r#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}"#,
        r#"{"jsonrpc":"2.0","method":"tools/call","params":{"name":"x"}}"#,
        r#"{"id":1,"method":"tools/call","params":{"name":"x"}}"#,
        r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"arguments":{}}}"#,
        r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"},"error":null}"#,
    ] {
        assert!(
            <RoleServer as Side>::decode_fast(&(), line.as_bytes()).is_none(),
            "{line}"
        );
    }
}

fn sent_call(calls: &PendingCalls, id: i64) {
    let params: CallToolRequestParams =
        serde_json::from_value(json!({"name": "echo"})).expect("params");
    let request = ClientRequest::CallToolRequest(rmcp::model::Request::new(params));
    <RoleClient as Side>::sent(
        calls,
        &JsonRpcMessage::request(request, RequestId::Number(id)),
    );
}

#[test]
fn a_tools_call_result_decodes_as_rmcp_decodes_it_once() {
    let calls = PendingCalls::default();
    assert!(
        <RoleClient as Side>::decode_fast(&calls, RESULT.as_bytes()).is_none(),
        "an id never sent as tools/call is left to rmcp"
    );
    sent_call(&calls, 7);
    let fast =
        <RoleClient as Side>::decode_fast(&calls, RESULT.as_bytes()).expect("takes the fast path");
    let generic: ServerJsonRpcMessage = serde_json::from_str(RESULT).expect("rmcp decodes it");
    assert_eq!(as_json(&fast), as_json(&generic));
    assert!(
        <RoleClient as Side>::decode_fast(&calls, RESULT.as_bytes()).is_none(),
        "the id is forgotten once answered"
    );
}

#[test]
fn a_result_asking_for_input_is_left_to_rmcp() {
    let calls = PendingCalls::default();
    sent_call(&calls, 3);
    let line =
        r#"{"jsonrpc":"2.0","id":3,"result":{"resultType":"input_required","inputRequests":{}}}"#;
    assert!(<RoleClient as Side>::decode_fast(&calls, line.as_bytes()).is_none());
}

async fn read_lines(out: &mut DuplexStream, count: usize) -> Vec<Value> {
    let mut text = String::new();
    let mut chunk = vec![0u8; 4096];
    while text.matches('\n').count() < count {
        let n = tokio::time::timeout(Duration::from_secs(2), out.read(&mut chunk))
            .await
            .expect("output in time")
            .expect("read");
        assert!(n > 0, "output closed early: {text}");
        text.push_str(&String::from_utf8_lossy(&chunk[..n]));
    }
    text.lines()
        .map(|l| serde_json::from_str(l).expect("every output line is JSON"))
        .collect()
}

#[tokio::test]
async fn the_server_end_answers_bad_lines_and_goes_on() {
    let (mut client_in, server_in) = tokio::io::duplex(1 << 16);
    let (server_out, mut client_out) = tokio::io::duplex(1 << 16);
    let mut transport =
        LineTransport::<RoleServer, _, _>::new(server_in, server_out).with_max_line(1024);
    let long = format!("{{\"pad\":\"{}\"}}\n", "x".repeat(2000));
    let input = format!(
        "not json\n\n{{\"a\":1}}\n{long}\u{feff}{}\r\n{{\"jsonrpc\":\"2.0\",\"method\":\"notifications/vendor\"}}\n",
        CALL
    );
    client_in.write_all(input.as_bytes()).await.expect("write");
    let message = tokio::time::timeout(Duration::from_secs(2), transport.receive())
        .await
        .expect("in time")
        .expect("a message");
    assert!(matches!(
        message,
        JsonRpcMessage::Request(ref r) if matches!(r.request, ClientRequest::CallToolRequest(_))
    ));
    let replies = read_lines(&mut client_out, 3).await;
    let codes: Vec<i64> = replies
        .iter()
        .map(|r| r["error"]["code"].as_i64().expect("an error"))
        .collect();
    assert_eq!(codes, [-32700, -32600, -32700], "{replies:?}");
    assert!(replies.iter().all(|r| r["id"].is_null()));
    assert!(
        replies[2]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("limit")),
        "{replies:?}"
    );
    // The transport still serves.
    transport
        .send(JsonRpcMessage::response(
            rmcp::model::ServerResult::empty(()),
            RequestId::Number(1),
        ))
        .await
        .expect("send");
    let next = read_lines(&mut client_out, 1).await;
    assert_eq!(next[0]["id"], 1, "{next:?}");
    // A vendor notification is a custom notification to rmcp too.
    let vendor = transport.receive().await.expect("the notification");
    assert!(matches!(vendor, JsonRpcMessage::Notification(_)));
    drop(client_in);
    assert!(transport.receive().await.is_none(), "EOF ends the stream");
}

#[tokio::test]
async fn the_client_end_ignores_garbage_from_an_upstream() {
    let (mut upstream_out, gateway_in) = tokio::io::duplex(1 << 16);
    let (gateway_out, mut upstream_in) = tokio::io::duplex(1 << 16);
    let mut transport = LineTransport::<RoleClient, _, _>::new(gateway_in, gateway_out);
    let params: CallToolRequestParams =
        serde_json::from_value(json!({"name": "echo"})).expect("params");
    transport
        .send(JsonRpcMessage::request(
            ClientRequest::CallToolRequest(rmcp::model::Request::new(params)),
            RequestId::Number(7),
        ))
        .await
        .expect("send");
    let sent = read_lines(&mut upstream_in, 1).await;
    assert_eq!(sent[0]["method"], "tools/call");
    upstream_out
        .write_all(format!("debug output, not JSON\n{RESULT}\n").as_bytes())
        .await
        .expect("write");
    let message = transport.receive().await.expect("the result");
    let generic: ServerJsonRpcMessage = serde_json::from_str(RESULT).expect("decodes");
    assert_eq!(as_json(&message), as_json(&generic));
    transport.close().await.expect("close");
    let mut rest = Vec::new();
    upstream_in.read_to_end(&mut rest).await.expect("read");
    assert!(rest.is_empty(), "no reply to the upstream's garbage");
}
