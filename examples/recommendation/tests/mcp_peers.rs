//! The service's methods as MCP tools, checked with a client we did not
//! write (the official Python MCP SDK): over the streamable HTTP transport
//! on the server's port and over stdio, it lists the tools with their
//! schemas, calls one, and gets a tool error naming the field for a bad
//! argument. Over HTTP the call passes through the router's interceptors.
//! With `CI=true` a missing peer fails.
#![cfg(feature = "mcp")]

#[path = "../../../crates/typerpc/tests/common/peers.rs"]
mod peers;

use recommendation::RecommendationService;
use serde_json::Value;
use typerpc::mcp::McpTools;
use typerpc::service::interceptor_fn;
use typerpc::testing::TestServer;
use typerpc::{Router, Status};

/// Lists the tools and makes three calls: a good one, one with an empty
/// `userId` (which breaks `min_len = 1`), and the trending list. Prints
/// what it saw as one JSON object.
const CLIENT: &str = r##"
import asyncio, json, sys
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamablehttp_client

def seen(result):
    return {"isError": bool(result.isError), "structured": result.structuredContent,
            "text": "\n".join(c.text for c in result.content if c.type == "text")}

async def use(session):
    await session.initialize()
    listed = await session.list_tools()
    out = {"tools": [{"name": t.name, "description": t.description, "inputSchema": t.inputSchema,
                      "outputSchema": t.outputSchema} for t in listed.tools]}
    out["good"] = seen(await session.call_tool("get_recommendations", {"userId": "u1", "category": "electronics", "limit": 2}))
    out["bad"] = seen(await session.call_tool("get_recommendations", {"userId": "", "category": "books"}))
    out["trending"] = seen(await session.call_tool("get_trending", {}))
    return out

async def main():
    if sys.argv[1] == "http":
        async with streamablehttp_client(sys.argv[2], headers=json.loads(sys.argv[3])) as (r, w, _):
            async with ClientSession(r, w) as session:
                print(json.dumps(await use(session)))
    else:
        async with stdio_client(StdioServerParameters(command=sys.argv[2], args=[])) as (r, w):
            async with ClientSession(r, w) as session:
                print(json.dumps(await use(session)))

asyncio.run(main())
"##;

async fn run_client(args: Vec<String>) -> Value {
    let python = peers::peer("python").expect("checked by the caller");
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python)
            .arg("-c")
            .arg(CLIENT)
            .args(args)
            .output()
            .expect("python runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"))
}

/// What every transport must show.
fn check(seen: &Value) {
    let tools = seen["tools"].as_array().unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["get_recommendations", "get_trending"], "{seen}");
    let tool = &tools[0];
    assert_eq!(
        tool["description"],
        "Recommended products for one user in one category."
    );
    let input = &tool["inputSchema"];
    assert_eq!(input["type"], "object");
    assert_eq!(input["properties"]["userId"]["maxLength"], 64);
    assert_eq!(input["properties"]["limit"]["maximum"], 100);
    assert_eq!(input["required"], serde_json::json!(["userId", "category"]));
    let output = &tool["outputSchema"];
    assert!(
        output["$defs"]["recommendation.v1.Product"].is_object(),
        "{output}"
    );

    let good = &seen["good"];
    assert_eq!(good["isError"], false, "{good}");
    let products = good["structured"]["products"].as_array().unwrap();
    assert_eq!(products.len(), 2, "{good}");
    assert!(good["text"].as_str().unwrap().contains("\"products\""));

    let bad = &seen["bad"];
    assert_eq!(bad["isError"], true, "{bad}");
    let text = bad["text"].as_str().unwrap();
    assert!(text.starts_with("invalid_argument: "), "{text}");
    assert!(
        text.contains("\nuser_id: must be at least 1 character long"),
        "{text}"
    );

    assert_eq!(seen["trending"]["isError"], false, "{seen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_over_streamable_http_through_the_interceptors() {
    if peers::peer("python").is_none() {
        return;
    }
    let auth = interceptor_fn(|ctx: &typerpc::Context| {
        match ctx
            .request_headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
        {
            Some("Bearer s3cret") => Ok(()),
            _ => Err(Status::unauthenticated("a bearer token is required")),
        }
    });
    let router = Router::new()
        .add(RecommendationService::new())
        .with_mcp("/mcp", McpTools::all())
        .intercept(auth);
    let server = TestServer::start(router).await;
    let url = format!("{}/mcp", server.url());

    let seen = run_client(vec![
        "http".into(),
        url.clone(),
        r#"{"authorization": "Bearer s3cret"}"#.into(),
    ])
    .await;
    check(&seen);

    // Without the token the interceptor turns each call away.
    let refused = run_client(vec!["http".into(), url, "{}".into()]).await;
    for call in ["good", "bad", "trending"] {
        assert_eq!(refused[call]["isError"], true, "{refused}");
        assert_eq!(
            refused[call]["text"],
            "unauthenticated: a bearer token is required"
        );
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_over_stdio() {
    if peers::peer("python").is_none() {
        return;
    }
    let seen = run_client(vec![
        "stdio".into(),
        env!("CARGO_BIN_EXE_recommendation-mcp").into(),
    ])
    .await;
    check(&seen);
}

#[test]
fn a_selection_naming_what_is_not_there_is_an_error() {
    let router = Router::new().add(RecommendationService::new());
    let only = typerpc::mcp::tools(
        &router,
        &["recommendation.v1.RecommendationService/GetTrending".into()],
    )
    .unwrap();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0].name, "get_trending");
    let error = typerpc::mcp::tools(&router, &["nope.v1.Nope".into()]).unwrap_err();
    assert!(
        error.contains("no method or service \"nope.v1.Nope\""),
        "{error}"
    );
}
