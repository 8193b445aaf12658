//! The load generator of `scripts/bench-load`. Every scenario is bounded
//! in time and prints one CSV line a second on stdout:
//! `t,phase,ok,rejected,failed,p50_ms,p99_ms` for the calls it measures.
//!
//! ```text
//! load_gen ADDR peak     [secs=3]                 # closed-loop ramp; prints concurrency,rps,p99_ms
//! load_gen ADDR soak     secs=600 conc=32 work_us=100
//! load_gen ADDR overload rate=2880 secs=20 work_us=50 wait_ms=10   # 1x, 3x, then 1x the rate
//! load_gen ADDR abuse    secs=20 work_us=100            # each kind of abuser for secs, then all
//! load_gen ADDR chat     subscribers=10000 secs=20
//! ```

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use typerpc::Code;
use typerpc_bench_load::{LoadServiceClient, TickRequest, Work};

use typerpc_bench_load::abusers as raw;

/// What the measured calls did during the current second.
#[derive(Default)]
struct Window {
    ok: u64,
    rejected: u64,
    failed: u64,
    latencies_us: Vec<u32>,
}

/// Failures by code over the whole run, printed on stderr at the end.
static FAILURES: Mutex<Vec<(Code, u64)>> = Mutex::new(Vec::new());

#[derive(Clone)]
struct Stats {
    window: Arc<Mutex<Window>>,
    phase: Arc<Mutex<&'static str>>,
}

impl Stats {
    fn new() -> Stats {
        Stats {
            window: Arc::default(),
            phase: Arc::new(Mutex::new("start")),
        }
    }

    fn record(&self, took: Duration, result: Result<(), Code>) {
        let mut window = self.window.lock().unwrap();
        match result {
            Ok(()) => {
                window.ok += 1;
                window
                    .latencies_us
                    .push(took.as_micros().min(u32::MAX as u128) as u32);
            }
            Err(Code::Unavailable | Code::ResourceExhausted) => window.rejected += 1,
            Err(code) => {
                window.failed += 1;
                let mut failures = FAILURES.lock().unwrap();
                match failures.iter_mut().find(|(c, _)| *c == code) {
                    Some((_, n)) => *n += 1,
                    None => failures.push((code, 1)),
                }
            }
        }
    }

    fn set_phase(&self, phase: &'static str) {
        *self.phase.lock().unwrap() = phase;
    }

    /// Prints a line a second until `stop`.
    fn report(&self, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<()> {
        let stats = self.clone();
        tokio::spawn(async move {
            println!("t,phase,ok,rejected,failed,p50_ms,p99_ms");
            let start = Instant::now();
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            tick.tick().await;
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                let mut window = std::mem::take(&mut *stats.window.lock().unwrap());
                window.latencies_us.sort_unstable();
                let pct = |p: f64| -> f64 {
                    if window.latencies_us.is_empty() {
                        return f64::NAN;
                    }
                    let i = ((window.latencies_us.len() as f64 - 1.0) * p).round() as usize;
                    f64::from(window.latencies_us[i]) / 1000.0
                };
                println!(
                    "{},{},{},{},{},{:.3},{:.3}",
                    start.elapsed().as_secs(),
                    stats.phase.lock().unwrap(),
                    window.ok,
                    window.rejected,
                    window.failed,
                    pct(0.5),
                    pct(0.99)
                );
            }
            eprintln!("failed calls by code: {:?}", FAILURES.lock().unwrap());
        })
    }
}

fn client(addr: SocketAddr, timeout: Duration) -> LoadServiceClient {
    let client = typerpc::Client::builder(&format!("http://{addr}"))
        .timeout(timeout)
        .build()
        .expect("client");
    LoadServiceClient::new(client)
}

/// What every measured call asks: `work_us` of CPU after `wait_ms`.
#[derive(Clone, Copy)]
struct Load {
    work_us: u32,
    wait_ms: u32,
}

fn work(load: Load) -> Work {
    Work {
        work_us: load.work_us,
        wait_ms: load.wait_ms,
        text: "load".into(),
    }
}

/// One measured unary call.
async fn measured_call(client: &LoadServiceClient, stats: &Stats, load: Load) {
    let start = Instant::now();
    let result = client.work(work(load)).await;
    stats.record(start.elapsed(), result.map(drop).map_err(|s| s.code()));
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let addr: SocketAddr = args.get(1).expect("ADDR").parse().expect("HOST:PORT");
    let scenario = args.get(2).cloned().unwrap_or_default();
    let options: HashMap<String, u64> = args[3..]
        .iter()
        .filter_map(|a| a.split_once('='))
        .map(|(k, v)| (k.to_string(), v.parse().expect("a number")))
        .collect();
    let option = |key: &str, default: u64| options.get(key).copied().unwrap_or(default);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let load = Load {
            work_us: option("work_us", 100) as u32,
            wait_ms: option("wait_ms", 0) as u32,
        };
        match scenario.as_str() {
            "peak" => peak(addr, option("secs", 3), load).await,
            "soak" => {
                let mix = Mix {
                    streams: option("streams", 1) == 1,
                    slow: option("slow", 1) == 1,
                    leave: option("leave", 1) == 1,
                };
                soak(addr, option("secs", 600), option("conc", 32), load, mix).await
            }
            "overload" => overload(addr, option("rate", 5000), option("secs", 20), load).await,
            "abuse" => abuse(addr, option("secs", 60), load).await,
            "chat" => chat(addr, option("subscribers", 10_000), option("secs", 20)).await,
            other => panic!("unknown scenario {other:?}"),
        }
    });
}

/// Closed-loop unary calls at growing concurrency: the throughput and p99
/// of each step.
async fn peak(addr: SocketAddr, secs: u64, load: Load) {
    println!("concurrency,rps,p99_ms");
    for concurrency in [1u64, 2, 4, 8, 16, 32, 64, 128] {
        let stats = Stats::new();
        let until = Instant::now() + Duration::from_secs(secs);
        let clients: Vec<_> = (0..4)
            .map(|_| client(addr, Duration::from_secs(5)))
            .collect();
        let mut workers = Vec::new();
        for i in 0..concurrency {
            let client = clients[i as usize % clients.len()].clone();
            let stats = stats.clone();
            workers.push(tokio::spawn(async move {
                while Instant::now() < until {
                    measured_call(&client, &stats, load).await;
                }
            }));
        }
        for worker in workers {
            let _ = worker.await;
        }
        let mut window = std::mem::take(&mut *stats.window.lock().unwrap());
        window.latencies_us.sort_unstable();
        let p99 = window
            .latencies_us
            .get(window.latencies_us.len() * 99 / 100)
            .map_or(f64::NAN, |us| f64::from(*us) / 1000.0);
        println!(
            "{concurrency},{:.0},{p99:.3}",
            window.ok as f64 / secs as f64
        );
    }
}

/// The mix at the peak: measured unary calls, whole server streams, slow
/// readers and clients that leave mid-call.
/// Which kinds of clients besides the measured unary calls a soak runs.
struct Mix {
    streams: bool,
    slow: bool,
    leave: bool,
}

async fn soak(addr: SocketAddr, secs: u64, concurrency: u64, load: Load, mix: Mix) {
    let stats = Stats::new();
    stats.set_phase("soak");
    let stop = Arc::new(AtomicBool::new(false));
    let reporter = stats.report(Arc::clone(&stop));
    let until = Instant::now() + Duration::from_secs(secs);
    let mut workers = Vec::new();
    let clients: Vec<_> = (0..4)
        .map(|_| client(addr, Duration::from_secs(5)))
        .collect();
    for i in 0..concurrency.max(2) / 2 {
        let (client, stats) = (clients[i as usize % 4].clone(), stats.clone());
        workers.push(tokio::spawn(async move {
            while Instant::now() < until {
                measured_call(&client, &stats, load).await;
            }
        }));
    }
    for i in 0..(concurrency.max(4) / 4) * u64::from(mix.streams) {
        let client = clients[i as usize % 4].clone();
        workers.push(tokio::spawn(async move {
            while Instant::now() < until {
                let request = TickRequest {
                    count: 50,
                    every_ms: 0,
                    padding: 64,
                };
                if let Ok(mut stream) = client.ticks(request).await {
                    while let Ok(Some(_)) = stream.message().await {}
                }
            }
        }));
    }
    // Slow readers: a chunk every 100 ms with 64 KiB windows, then gone
    // after a second.
    let readers_stop = Arc::new(AtomicBool::new(false));
    for _ in 0..8 * usize::from(mix.slow) {
        workers.push(tokio::spawn(raw::slow_reader(
            addr,
            Arc::clone(&readers_stop),
        )));
    }
    {
        let readers_stop = Arc::clone(&readers_stop);
        tokio::spawn(async move {
            tokio::time::sleep_until(until.into()).await;
            readers_stop.store(true, Ordering::Relaxed);
        });
    }
    // Clients that disconnect mid-call: a connection each, dropped while
    // a unary call runs or a paced stream is being sent.
    for i in 0..8 * u64::from(mix.leave) {
        workers.push(tokio::spawn(async move {
            while Instant::now() < until {
                let client = client(addr, Duration::from_secs(30));
                if i % 2 == 0 {
                    // A call that waits 50 ms, left after 5.
                    let call = client.work(work(Load {
                        work_us: 10,
                        wait_ms: 50,
                    }));
                    let _ = tokio::time::timeout(Duration::from_millis(5), call).await;
                } else {
                    let request = TickRequest {
                        count: 100,
                        every_ms: 10,
                        padding: 16,
                    };
                    let call = async {
                        if let Ok(mut stream) = client.ticks(request).await {
                            while let Ok(Some(_)) = stream.message().await {}
                        }
                    };
                    let _ = tokio::time::timeout(Duration::from_millis(150), call).await;
                }
                drop(client);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }
    for worker in workers {
        let _ = worker.await;
    }
    stop.store(true, Ordering::Relaxed);
    let _ = reporter.await;
}

/// Open-loop unary calls at `rate`, then three times it, then `rate`
/// again; at most 20,000 outstanding (more are counted failed).
async fn overload(addr: SocketAddr, rate: u64, secs: u64, load: Load) {
    let stats = Stats::new();
    let stop = Arc::new(AtomicBool::new(false));
    let reporter = stats.report(Arc::clone(&stop));
    let clients: Vec<_> = (0..8)
        .map(|_| client(addr, Duration::from_secs(2)))
        .collect();
    let outstanding = Arc::new(tokio::sync::Semaphore::new(20_000));
    for (phase, rate) in [("1x", rate), ("3x", rate * 3), ("1x after", rate)] {
        stats.set_phase(phase);
        let until = Instant::now() + Duration::from_secs(secs);
        // Calls are started in batches every millisecond.
        let mut tick = tokio::time::interval(Duration::from_millis(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        let mut started = 0u64;
        let start = Instant::now();
        let mut next = 0usize;
        while Instant::now() < until {
            tick.tick().await;
            let due = (start.elapsed().as_secs_f64() * rate as f64) as u64;
            while started < due {
                started += 1;
                let Ok(permit) = Arc::clone(&outstanding).try_acquire_owned() else {
                    stats.record(Duration::ZERO, Err(Code::Unknown));
                    continue;
                };
                let client = clients[next % clients.len()].clone();
                next += 1;
                let stats = stats.clone();
                tokio::spawn(async move {
                    measured_call(&client, &stats, load).await;
                    drop(permit);
                });
            }
        }
    }
    stats.set_phase("drain");
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    let _ = reporter.await;
}

/// Every abusive client at once, between a quiet start and a recovery,
/// while a well-behaved client makes 100 calls a second.
async fn abuse(addr: SocketAddr, secs: u64, load: Load) {
    let stats = Stats::new();
    let stop = Arc::new(AtomicBool::new(false));
    let reporter = stats.report(Arc::clone(&stop));
    let good = {
        let (stats, stop) = (stats.clone(), Arc::clone(&stop));
        tokio::spawn(async move {
            let client = client(addr, Duration::from_secs(5));
            let mut tick = tokio::time::interval(Duration::from_millis(10));
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                let (client, stats) = (client.clone(), stats.clone());
                tokio::spawn(async move { measured_call(&client, &stats, load).await });
            }
        })
    };
    stats.set_phase("quiet");
    tokio::time::sleep(Duration::from_secs(10)).await;
    // Each kind alone for `secs`, then all at once.
    for phase in [
        "slowloris",
        "idle",
        "rapid reset",
        "floods",
        "never read",
        "all",
    ] {
        stats.set_phase(phase);
        let stop = Arc::new(AtomicBool::new(false));
        let tasks = abusers(addr, phase, &stop);
        tokio::time::sleep(Duration::from_secs(secs)).await;
        stop.store(true, Ordering::Relaxed);
        for task in tasks {
            task.abort();
        }
    }
    stats.set_phase("recovery");
    tokio::time::sleep(Duration::from_secs(15)).await;
    stop.store(true, Ordering::Relaxed);
    let _ = good.await;
    let _ = reporter.await;
}

/// The abusive clients of one phase of [`abuse`].
fn abusers(
    addr: SocketAddr,
    phase: &str,
    stop: &Arc<AtomicBool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let all = phase == "all";
    let mut tasks = Vec::new();
    let mut spawn = |n: usize, f: fn(SocketAddr, Arc<AtomicBool>) -> _| {
        for _ in 0..n {
            tasks.push(tokio::spawn(f(addr, Arc::clone(stop))));
        }
    };
    if all || phase == "slowloris" {
        spawn(200, |a, s| Box::pin(raw::slowloris(a, s)) as Abuser);
    }
    if all || phase == "idle" {
        spawn(2000, |a, s| Box::pin(raw::silent(a, s)) as Abuser);
        spawn(500, |a, s| Box::pin(raw::idle_http2(a, s)) as Abuser);
    }
    if all || phase == "rapid reset" {
        spawn(4, |a, s| Box::pin(raw::rapid_reset(a, s)) as Abuser);
    }
    if all || phase == "floods" {
        spawn(2, |a, s| Box::pin(raw::ping_flood(a, s)) as Abuser);
        spawn(2, |a, s| Box::pin(raw::settings_flood(a, s)) as Abuser);
    }
    if all || phase == "never read" {
        spawn(20, |a, s| Box::pin(raw::never_read(a, s)) as Abuser);
    }
    tasks
}

/// One abusive client's future.
type Abuser = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// `subscribers` chat subscriptions (history 100 of a room filled with
/// 100 messages of 500 characters) whose clients never read, held for
/// `secs`, then dropped; the script samples the server's memory.
async fn chat(addr: SocketAddr, subscribers: u64, secs: u64) {
    let client = typerpc::Client::builder(&format!("http://{addr}"))
        .build()
        .expect("client");
    let room = chat::ChatServiceClient::new(client);
    for i in 0..100 {
        let message = chat::ChatMessage {
            author: format!("author {i}"),
            text: "x".repeat(500),
            sent_at: None,
        };
        room.post(message).await.expect("post");
    }
    eprintln!("chat: room filled; opening {subscribers} subscriptions that never read");
    raw::chat_subscribers(addr, subscribers as usize, Duration::from_secs(secs)).await;
    eprintln!("chat: dropped");
}
