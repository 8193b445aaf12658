//! A service with every call shape, for client tests against our server
//! and against other implementations.
#![allow(dead_code)]

use std::time::Duration;

use http::{HeaderName, HeaderValue};
use typerpc::{service, Code, Context, Message, RequestStream, ResponseStream, Status};

/// A request for every shape.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "shapes.v1")]
pub struct Req {
    pub text: String,
    /// Server streaming: how many responses.
    pub count: u32,
    /// Non-zero: fail with this gRPC code (after the responses).
    pub fail_code: i32,
    /// Sleep this long first.
    pub delay_ms: u32,
}

/// A response.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "shapes.v1")]
pub struct Res {
    pub text: String,
    pub index: u32,
    /// The `x-test` request header, and the `x-test-bin` one decoded
    /// (hex), seen by the server.
    pub header: String,
    pub binary_header: String,
    /// Our server only: the deadline it was told, in milliseconds left.
    pub timeout_ms: u64,
    /// Our server only: the client's address and port.
    pub peer: String,
}

/// Attached to every error.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "shapes.v1")]
pub struct ErrorDetail {
    pub reason: String,
}

/// The detail-carrying error every method fails with.
pub fn failure(code: i32, text: &str) -> Status {
    Status::new(Code::from_i32(code), format!("failing: {text}")).with_detail(&ErrorDetail {
        reason: format!("asked for {code}"),
    })
}

pub struct ShapesService;

fn echo(ctx: &Context, req: &Req, index: u32) -> Res {
    let header = |name: &str| {
        ctx.request_headers()
            .get(name)
            .map(|v| v.as_bytes().to_vec())
    };
    let binary = header("x-test-bin")
        .and_then(|v| typerpc::protocol::grpc_status::decode_bin(&v))
        .map(|bytes| bytes.iter().map(|b| format!("{b:02x}")).collect())
        .unwrap_or_default();
    Res {
        text: req.text.clone(),
        index,
        header: header("x-test")
            .map(|v| String::from_utf8_lossy(&v).into_owned())
            .unwrap_or_default(),
        binary_header: binary,
        timeout_ms: ctx
            .time_remaining()
            .map_or(0, |left| left.as_millis() as u64),
        peer: ctx.peer_addr().map(|a| a.to_string()).unwrap_or_default(),
    }
}

fn metadata(ctx: &Context) {
    ctx.append_response_header(
        HeaderName::from_static("x-answer"),
        HeaderValue::from_static("yes"),
    );
    ctx.append_response_trailer(
        HeaderName::from_static("x-trailer"),
        HeaderValue::from_static("done"),
    );
    ctx.append_response_trailer(
        HeaderName::from_static("x-trailer-bin"),
        typerpc::protocol::grpc_status::encode_bin(&[0, 1, 2]),
    );
}

#[service]
impl ShapesService {
    /// Echoes; sets a header and trailers; fails or sleeps when asked.
    #[rpc(idempotent)]
    async fn unary(&self, ctx: &Context, req: Req) -> Result<Res, Status> {
        tokio::time::sleep(Duration::from_millis(u64::from(req.delay_ms))).await;
        metadata(ctx);
        if req.fail_code != 0 {
            return Err(failure(req.fail_code, &req.text));
        }
        Ok(echo(ctx, &req, 0))
    }

    /// `count` responses, then the failure if asked.
    async fn server_stream(&self, ctx: &Context, req: Req) -> Result<ResponseStream<Res>, Status> {
        metadata(ctx);
        let delay = Duration::from_millis(u64::from(req.delay_ms));
        let items: Vec<Result<Res, Status>> = (0..req.count)
            .map(|i| Ok(echo(ctx, &req, i)))
            .chain((req.fail_code != 0).then(|| Err(failure(req.fail_code, &req.text))))
            .collect();
        Ok(ResponseStream::new(typerpc::stream::unfold(
            items.into_iter(),
            move |mut items| async move {
                tokio::time::sleep(delay).await;
                items.next().map(|item| (item, items))
            },
        )))
    }

    /// Joins the texts of every request.
    async fn client_stream(
        &self,
        ctx: &Context,
        mut reqs: RequestStream<Req>,
    ) -> Result<Res, Status> {
        metadata(ctx);
        let mut texts = Vec::new();
        let mut count = 0;
        while let Some(req) = reqs.message().await? {
            if req.fail_code != 0 {
                return Err(failure(req.fail_code, &req.text));
            }
            texts.push(req.text);
            count += 1;
        }
        Ok(Res {
            text: texts.join(","),
            index: count,
            ..Res::default()
        })
    }

    /// Answers each request as it arrives (ping-pong proves full duplex).
    async fn bidi(
        &self,
        ctx: &Context,
        reqs: RequestStream<Req>,
    ) -> Result<ResponseStream<Res>, Status> {
        metadata(ctx);
        let ctx = ctx.clone();
        Ok(ResponseStream::new(typerpc::stream::unfold(
            (reqs, 0u32),
            move |(mut reqs, index)| {
                let ctx = ctx.clone();
                async move {
                    match reqs.message().await {
                        Ok(Some(req)) if req.fail_code != 0 => {
                            Some((Err(failure(req.fail_code, &req.text)), (reqs, index + 1)))
                        }
                        Ok(Some(req)) => Some((Ok(echo(&ctx, &req, index)), (reqs, index + 1))),
                        Ok(None) => None,
                        Err(status) => Some((Err(status), (reqs, index + 1))),
                    }
                }
            },
        )))
    }
}

/// The router the client tests serve.
pub fn router() -> typerpc::Router {
    typerpc::Router::new()
        .add(ShapesService)
        .register_type::<ErrorDetail>()
}
