//! The service `scripts/bench-load` puts under load: a unary call that
//! waits (as on a database) and then does a set amount of CPU work (so
//! that one load-generator core can drive the server past its peak), and
//! a server stream paced as asked.

use std::time::{Duration, Instant};

use typerpc::{service, Message, Status, Stream};

pub mod abusers;

/// A unary request and its answer.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "load.v1")]
pub struct Work {
    /// Microseconds of CPU the server spends on the call.
    pub work_us: u32,
    /// Milliseconds the call waits first, holding no CPU.
    pub wait_ms: u32,
    pub text: String,
}

/// What `Ticks` streams.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "load.v1")]
pub struct TickRequest {
    /// How many messages.
    pub count: u32,
    /// Milliseconds between them.
    pub every_ms: u32,
    /// Bytes of padding in each.
    pub padding: u32,
}

/// One streamed message.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "load.v1")]
pub struct Tick {
    pub n: u32,
    pub padding: Vec<u8>,
}

/// The service under load.
pub struct LoadService;

#[service(package = "load.v1")]
impl LoadService {
    /// Waits `wait_ms`, spins for `work_us` microseconds, then echoes the
    /// request.
    async fn work(&self, request: Work) -> Result<Work, Status> {
        if request.wait_ms > 0 {
            let wait = Duration::from_millis(u64::from(request.wait_ms.min(10_000)));
            tokio::time::sleep(wait).await;
        }
        let until = Instant::now() + Duration::from_micros(u64::from(request.work_us.min(100_000)));
        let mut spin = 0u64;
        while Instant::now() < until {
            spin = std::hint::black_box(spin.wrapping_add(1));
        }
        Ok(request)
    }

    /// Streams `count` messages, `every_ms` apart.
    async fn ticks(
        &self,
        request: TickRequest,
    ) -> Result<impl Stream<Item = Result<Tick, Status>>, Status> {
        let every = Duration::from_millis(u64::from(request.every_ms));
        let padding = vec![7u8; request.padding.min(1 << 20) as usize];
        Ok(typerpc::stream::unfold(0u32, move |n| {
            let padding = padding.clone();
            async move {
                if n >= request.count {
                    return None;
                }
                if !every.is_zero() {
                    tokio::time::sleep(every).await;
                }
                Some((Ok(Tick { n, padding }), n + 1))
            }
        }))
    }
}
