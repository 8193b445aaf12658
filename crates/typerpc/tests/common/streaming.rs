//! A streaming test service with every call shape, and probes into its
//! handlers (how many messages a stream produced, whether it was dropped)
//! for the backpressure and cancellation tests.
#![allow(dead_code)]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderName, HeaderValue};
use typerpc::stream::{self, StreamExt};
use typerpc::{service, Code, Context, Message, RequestStream, ResponseStream, Status, Stream};

/// What `Count` streams back.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "stream.v1")]
pub struct CountRequest {
    /// Count from 1 to this.
    pub to: u32,
    /// Fail with `aborted` instead of sending this number (0: never).
    pub fail_at: u32,
    /// Pause between messages.
    pub delay_ms: u32,
    /// Bytes of padding in each message.
    pub padding: u32,
}

/// One number of a count, with optional padding.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "stream.v1")]
pub struct Counted {
    pub n: u32,
    pub padding: Vec<u8>,
}

/// A number to add or echo.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "stream.v1")]
pub struct Number {
    pub value: i64,
}

/// The sum of a client stream.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "stream.v1")]
pub struct Total {
    pub sum: i64,
    pub count: u32,
}

/// A detail attached to mid-stream errors.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "stream.v1")]
pub struct StopInfo {
    pub at: u32,
}

/// What the tests observe of the handlers.
#[derive(Default)]
pub struct Probe {
    /// Messages the endless stream has produced.
    pub produced: AtomicU64,
    /// The endless stream was dropped (the call ended or was cancelled).
    pub dropped: AtomicBool,
}

/// Sets `dropped` when the stream holding it goes away.
struct DropFlag(Arc<Probe>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.dropped.store(true, Ordering::SeqCst);
    }
}

pub struct StreamService {
    pub probe: Arc<Probe>,
}

impl StreamService {
    pub fn new() -> (StreamService, Arc<Probe>) {
        let probe = Arc::new(Probe::default());
        (
            StreamService {
                probe: Arc::clone(&probe),
            },
            probe,
        )
    }
}

#[service]
impl StreamService {
    /// Counts to `to`, one message at a time; sends a header first and a
    /// trailer at the end; fails mid-stream when asked.
    async fn count(
        &self,
        ctx: &Context,
        req: CountRequest,
    ) -> Result<impl Stream<Item = Result<Counted, Status>>, Status> {
        if req.to > 1_000_000 {
            return Err(Status::invalid_argument("to is too large"));
        }
        ctx.append_response_header(
            HeaderName::from_static("x-stream"),
            HeaderValue::from_static("count"),
        );
        let ctx = ctx.clone();
        Ok(stream::iter(1..=req.to).then(move |n| {
            let ctx = ctx.clone();
            async move {
                if req.delay_ms > 0 {
                    tokio::time::sleep(Duration::from_millis(u64::from(req.delay_ms))).await;
                }
                if n == req.fail_at {
                    let mut status = Status::new(Code::Aborted, format!("stopped at {n}"));
                    status.add_detail(&StopInfo { at: n });
                    return Err(status);
                }
                if n == req.to {
                    ctx.append_response_trailer(
                        HeaderName::from_static("x-last"),
                        HeaderValue::from(n),
                    );
                }
                Ok(Counted {
                    n,
                    padding: vec![7; req.padding as usize],
                })
            }
        }))
    }

    /// Adds up a client stream; a negative number is refused.
    async fn sum(
        &self,
        ctx: &Context,
        mut numbers: RequestStream<Number>,
    ) -> Result<Total, Status> {
        let mut total = Total::default();
        while let Some(number) = numbers.message().await? {
            if number.value < 0 {
                return Err(Status::invalid_argument(format!(
                    "negative number {} at position {}",
                    number.value, total.count
                )));
            }
            total.sum += number.value;
            total.count += 1;
        }
        ctx.append_response_trailer(
            HeaderName::from_static("x-count"),
            HeaderValue::from(total.count),
        );
        Ok(total)
    }

    /// Answers each number with its double as soon as it arrives (full
    /// duplex over HTTP/2); 0 ends the call with `out_of_range`.
    async fn double(
        &self,
        numbers: RequestStream<Number>,
    ) -> Result<ResponseStream<Number>, Status> {
        Ok(ResponseStream::new(numbers.map(|number| {
            let number = number?;
            if number.value == 0 {
                return Err(Status::out_of_range("zero has no double worth sending"));
            }
            Ok(Number {
                value: number.value * 2,
            })
        })))
    }

    /// Streams `padding`-byte messages for ever, counting them; for the
    /// slow-reader and cancellation tests.
    async fn endless(&self, req: CountRequest) -> Result<ResponseStream<Counted>, Status> {
        let probe = Arc::clone(&self.probe);
        let flag = DropFlag(Arc::clone(&probe));
        let padding = vec![1; req.padding as usize];
        Ok(ResponseStream::new(stream::unfold(
            (0u32, flag),
            move |(n, flag)| {
                let padding = padding.clone();
                async move {
                    flag.0.produced.fetch_add(1, Ordering::SeqCst);
                    Some((Ok(Counted { n, padding }), (n.wrapping_add(1), flag)))
                }
            },
        )))
    }

    /// Panics after two messages.
    async fn explode(&self, _req: CountRequest) -> Result<ResponseStream<Counted>, Status> {
        Ok(ResponseStream::new(stream::iter(0..).map(|n| {
            if n == 2 {
                panic!("secret stream internals");
            }
            Ok(Counted {
                n,
                padding: Vec::new(),
            })
        })))
    }
}
