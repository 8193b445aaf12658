"""Plots and the report of scripts/bench-load: reads the CSV files of one
run (DATA), writes OUT/load.md and OUT/load-*.png.

    bench-load-report.py DATA OUT COMMAND
"""

import csv
import datetime
import os
import platform
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

data, out, command = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(out, exist_ok=True)


def rows(name):
    path = os.path.join(data, name)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [r for r in csv.DictReader(line for line in f if "," in line)]


def num(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def after(name):
    """Descriptors before, after; calls in flight after; RSS after."""
    path = os.path.join(data, f"{name}-after.csv")
    if not os.path.exists(path):
        return None
    before, fds, in_flight, rss = open(path).read().strip().split(",")
    return int(before), int(fds), int(in_flight), float(rss)


def pct(values, p):
    values = sorted(v for v in values if v == v)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round((len(values) - 1) * p)))]


def shade_phases(ax, load):
    """Shades every phase but the first, labelled at its start."""
    start, phase = None, None
    spans = []
    for r in load:
        if r["phase"] != phase:
            if phase is not None:
                spans.append((phase, start, num(r["t"])))
            phase, start = r["phase"], num(r["t"])
    if phase is not None and load:
        spans.append((phase, start, num(load[-1]["t"])))
    colours = ["#ffffff", "#fde0dd", "#e5f5e0", "#deebf7", "#fff2cc", "#eadcf5", "#d9f0f0", "#f2f2f2"]
    for i, (name, a, b) in enumerate(spans):
        ax.axvspan(a, b, color=colours[i % len(colours)], alpha=0.6, lw=0)
        ax.text(a + 0.5, 0.97, name, transform=ax.get_xaxis_transform(), va="top", fontsize=8)


def plot(name, title, load, server, extra=None):
    """RSS over time and, when there are calls, their p99 (and counts)."""
    panels = 2 if load else 1
    if extra:
        panels += 1
    fig, axes = plt.subplots(panels, 1, figsize=(9, 2.6 * panels), sharex=True, squeeze=False)
    axes = [a[0] for a in axes]
    ax = axes[0]
    ax.plot([num(r["t"]) for r in server], [num(r["rss_mib"]) for r in server], color="tab:blue")
    ax.set_ylabel("server RSS (MiB)")
    ax.set_ylim(bottom=0)
    ax2 = ax.twinx()
    ax2.plot([num(r["t"]) for r in server], [num(r["fds"]) for r in server], color="tab:gray", lw=0.8, ls="--")
    ax2.set_ylabel("open descriptors", color="tab:gray")
    ax2.set_ylim(bottom=0)
    ax.set_title(title)
    if load:
        shade_phases(ax, load)
        ax = axes[1]
        shade_phases(ax, load)
        ax.plot([num(r["t"]) for r in load], [num(r["p99_ms"]) for r in load], color="tab:red", label="p99")
        ax.plot([num(r["t"]) for r in load], [num(r["p50_ms"]) for r in load], color="tab:orange", lw=0.8, label="p50")
        ax.set_ylabel("latency of measured\ncalls (ms)")
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper right", fontsize=8)
    if extra:
        ax = axes[-1]
        shade_phases(ax, load)
        for key, colour in extra:
            ax.plot([num(r["t"]) for r in load], [num(r[key]) for r in load], label=key, color=colour)
        ax.set_ylabel("calls per second")
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper right", fontsize=8)
    axes[-1].set_xlabel("seconds")
    fig.tight_layout()
    fig.savefig(os.path.join(out, f"load-{name}.png"), dpi=90)
    plt.close(fig)


def phase_summary(load, phase):
    sel = [r for r in load if r["phase"] == phase][1:]  # the first second is partial
    if not sel:
        return None
    secs = len(sel)
    ok = sum(num(r["ok"]) for r in sel)
    rejected = sum(num(r["rejected"]) for r in sel)
    failed = sum(num(r["failed"]) for r in sel)
    return {
        "ok/s": ok / secs,
        "rejected/s": rejected / secs,
        "failed/s": failed / secs,
        "median p99 (ms)": pct([num(r["p99_ms"]) for r in sel], 0.5),
        "worst p99 (ms)": max((num(r["p99_ms"]) for r in sel if num(r["p99_ms"]) == num(r["p99_ms"])), default=float("nan")),
    }


def phase_at(load, t):
    """The phase of the load at second `t` (the sampler and the load
    generator start within a second of each other)."""
    phase = None
    for r in load:
        if num(r["t"]) > t:
            break
        phase = r["phase"]
    return phase


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


lines = []
w = lines.append
w("# Under load: soak, overload and abusive clients")
w("")
w(f"Measured {datetime.date.today()} on {cpu_model()}, {os.cpu_count()} cores, Linux "
  f"{platform.release()}; the server (`benches/load`, one thread) pinned to core 0, the load "
  "generator to core 1, over loopback. The cores were shared with other work, so absolute numbers "
  "are noisy; what matters is the shape: flat memory, descriptors and calls in flight back to their "
  "baseline, latency bounded.")
w("")
w("```")
w(command)
w("```")
w("")
w("The server runs with the default `ConnectionSettings` (see its documentation): at most 4,096 "
  "connections, 10 s to show a preface, 10 s for the HTTP/2 handshake, 30 s for an HTTP/1.1 head, "
  "120 s idle, 30 s for a stalled request body. The unary call spins for `WORK_US` µs of CPU, so "
  "that one load-generator core can drive the server past its peak.")
w("")

peak = rows("peak.csv")
if peak:
    w("## Peak")
    w("")
    w("| concurrency | calls/s | p99 (ms) |")
    w("|---:|---:|---:|")
    for r in peak:
        w(f"| {r['concurrency']} | {num(r['rps']):.0f} | {num(r['p99_ms']):.2f} |")
    if os.path.exists(os.path.join(data, "peak.txt")):
        w("")
        w(open(os.path.join(data, "peak.txt")).read().strip() + " (the lowest concurrency within 5 % of the best).")
    w("")

soak, soak_server = rows("soak.csv"), rows("soak-server.csv")
if soak_server:
    plot("soak", "soak at the peak: unary, streams, slow readers, clients leaving mid-call", soak, soak_server)
    rss = [num(r["rss_mib"]) for r in soak_server]
    tail = rss[len(rss) // 2:]
    a = after("soak")
    s = phase_summary(soak, "soak")
    w("## Soak")
    w("")
    w(f"{len(soak)} s at the peak. RSS: {rss[0]:.1f} MiB at the start, {max(rss):.1f} MiB at most, "
      f"{min(tail):.1f}–{max(tail):.1f} MiB over the second half, {rss[-1]:.1f} MiB at the end.")
    if s:
        w(f"Measured unary calls: {s['ok/s']:.0f}/s, {s['failed/s']:.2f} failed/s, p99 {s['median p99 (ms)']:.2f} ms "
          f"(median of the per-second p99s; worst second {s['worst p99 (ms)']:.2f} ms).")
    if a:
        w(f"Descriptors: {a[0]} before the load, {a[1]} five seconds after the clients left; calls in "
          f"flight then: {a[2]}.")
    w("")
    w("![RSS and p99 during the soak](load-soak.png)")
    w("")

over, over_server = rows("overload.csv"), rows("overload-server.csv")
if over_server:
    plot("overload", "overload: 1x, 3x, then 1x the peak rate (open loop)", over, over_server,
         extra=[("ok", "tab:green"), ("rejected", "tab:purple"), ("failed", "tab:red")])
    w("## Overload")
    w("")
    w("A service whose calls wait 10 ms (as on a database) and then work 50 µs, behind a limit of "
      "`MAX_IN_FLIGHT` calls in flight (the server's own bound, `ConnectionSettings::max_calls_in_flight`), "
      "so at most 32 calls wait at once: 32 / 10.05 ms ≈ 3,180 calls/s in theory, fewer in "
      "practice (the 10 ms timer rounds up, and the loaded core adds its share; the 3x row shows what "
      "this run answered when saturated). Open-loop calls (each with a 2 s deadline) at "
      "`MAX_IN_FLIGHT` × 75 = 2,400 calls/s, near that peak, then three times it, then 2,400 again; calls past the limit are answered `resource_exhausted` at once "
      "instead of queueing.")
    w("")
    w("| phase | answered ok/s | shed (resource_exhausted)/s | failed/s | median p99 of admitted (ms) | worst p99 (ms) |")
    w("|---|---:|---:|---:|---:|---:|")
    for phase in ["1x", "3x", "1x after"]:
        s = phase_summary(over, phase)
        if s:
            w(f"| {phase} | {s['ok/s']:.0f} | {s['rejected/s']:.0f} | {s['failed/s']:.0f} | "
              f"{s['median p99 (ms)']:.2f} | {s['worst p99 (ms)']:.2f} |")
    a = after("overload")
    if a:
        w("")
        w(f"Afterwards: {a[1]} descriptors (baseline {a[0]}), {a[2]} calls in flight, {a[3]:.1f} MiB RSS.")
    w("")
    w("![calls, RSS and p99 under overload](load-overload.png)")
    w("")

abuse, abuse_server = rows("abuse.csv"), rows("abuse-server.csv")
if abuse_server:
    plot("abuse", "abusive clients while a well-behaved one makes 100 calls/s", abuse, abuse_server)
    w("## Abusive clients")
    w("")
    w("Each kind alone, then all at once, while a well-behaved client makes 100 unary calls a second "
      "(each on its own HTTP/2 stream of one connection): slowloris is 200 connections sending an "
      "HTTP/1.1 head a byte a second; idle is 2,000 silent connections and 500 HTTP/2 connections "
      "that stop after their handshake (all reconnecting when closed); rapid reset is 4 connections "
      "sending HEADERS + RST_STREAM in batches of 50; floods are 2 connections of PING frames and 2 of "
      "SETTINGS frames, as fast as they can, reconnecting when closed; never read is 20 connections with 100 endless server "
      "streams each, never read (64 KiB windows). The load generator has one core: the floods go as "
      "fast as that core sends.")
    w("")
    w("| phase | well-behaved ok/s | failed/s | median p99 (ms) | worst p99 (ms) | server RSS at most (MiB) | descriptors at most |")
    w("|---|---:|---:|---:|---:|---:|---:|")
    for phase in ["quiet", "slowloris", "idle", "rapid reset", "floods", "never read", "all", "recovery"]:
        s = phase_summary(abuse, phase)
        if s:
            # The sampler's clock and the load's are up to a second apart:
            # a sample that close to a change of phase may show either.
            srv = [r for r in abuse_server
                   if phase_at(abuse, num(r["t"]) - 1) == phase == phase_at(abuse, num(r["t"]) + 1)]
            rss_max = max((num(r["rss_mib"]) for r in srv), default=float("nan"))
            fds_max = max((num(r["fds"]) for r in srv), default=float("nan"))
            w(f"| {phase} | {s['ok/s']:.0f} | {s['failed/s'] + s['rejected/s']:.2f} | "
              f"{s['median p99 (ms)']:.2f} | {s['worst p99 (ms)']:.2f} | {rss_max:.1f} | {fds_max:.0f} |")
    rss = [num(r["rss_mib"]) for r in abuse_server]
    fds = [num(r["fds"]) for r in abuse_server]
    a = after("abuse")
    w("")
    w(f"Server RSS at most {max(rss):.1f} MiB (start {rss[0]:.1f}); descriptors at most {max(fds):.0f}.")
    if a:
        w(f"Five seconds after the abusers left: {a[1]} descriptors (baseline {a[0]}), {a[2]} calls in "
          f"flight, {a[3]:.1f} MiB RSS.")
    w("")
    w("![RSS and the well-behaved client's latency under abuse](load-abuse.png)")
    w("")

chat_server = rows("chat-server.csv")
if chat_server:
    plot("chat", "10,000 chat subscriptions that never read, then dropped", [], chat_server)
    held = [r for r in open(os.path.join(data, "chat.csv")) if r.startswith("held,")] if os.path.exists(os.path.join(data, "chat.csv")) else []
    rss = [num(r["rss_mib"]) for r in chat_server]
    a = after("chat")
    w("## Chat subscribers that never read")
    w("")
    w("The room filled with 100 messages of 500 characters; then subscriptions asking for the whole "
      "history (100 messages) over HTTP/2 connections of 250 streams each, with the protocol's default "
      "64 KiB windows, never read, held 20 s, then dropped.")
    w("")
    if held:
        w(f"Subscriptions accepted: {held[-1].split(',')[1].strip()}. ")
    w(f"RSS: {rss[0]:.1f} MiB before, {max(rss):.1f} MiB at most, {rss[-1]:.1f} MiB at the end"
      + (f"; {a[1]} descriptors afterwards (baseline {a[0]}), {a[2]} calls in flight." if a else "."))
    w("")
    w("![RSS with 10,000 subscribers that never read](load-chat.png)")
    w("")

w("## Notes")
w("")
w("- **Memory is reused, not returned.** After the chat subscribers or the abusers leave, RSS stays "
  "near its peak while descriptors and calls in flight are back at their baseline: glibc's allocator "
  "keeps freed memory for the next connections: three waves of 10,000 never-reading chat subscribers "
  "against one server left it at 97.6, 98.8 and 98.8 MiB. "
  "Returning it is an allocator matter (`malloc_trim`, glibc's `GLIBC_TUNABLES` "
  "`glibc.malloc.trim_threshold`, or an allocator that decays unused pages such as jemalloc), left to "
  "the application: typerpc does not pick an allocator for it.")
w("- **Floods are cut off.** A client may send at most 100 PING, SETTINGS, WINDOW_UPDATE and "
  "PRIORITY frames a second while the server sends it no HEADERS or DATA "
  "(`max_http2_control_frames_per_second`); one more and its connection is sent GOAWAY with "
  "`ENHANCE_YOUR_CALM` and closed. The flooders here then spend their time reconnecting, which "
  "costs the server a connection's setup per 100 frames instead of an answer per frame. Without the "
  "bound, h2 answers every frame, one at a time (memory stays flat), and on one core the floods "
  "raised the well-behaved client's p99 to 28 ms (89 ms with every abuser at once). Rapid reset is "
  "bounded by hyper's pending-reset limit.")
w("- **Slow readers are raw HTTP/2 clients, because the padding compresses.** A first soak used "
  "typerpc's own client as the slow reader (1 MiB windows, ten 1 KiB messages read in a second, then "
  "the stream dropped): the server handed every stream's 10,000 messages to the connection within "
  "about a second, and the measured calls stalled for seconds. The client asks for compressed "
  "responses by default, and 1 KiB of repeated padding is about 40 bytes in gzip: flow control "
  "counts bytes on the wire, so a 1 MiB window held some 20,000 such messages, and the server's one "
  "core spent its time compressing them (about 4.6 us each). Without compression the same client "
  "stops the server about 1,000 messages ahead (`our_client_stops_the_server_when_it_stops_reading_"
  "counted_on_the_wire` in `tests/server_streaming.rs` checks both). The soak reads with a raw HTTP/2 "
  "client with 64 KiB windows and no compression, so that its slow readers are slow on the wire.")
w("- **Shedding needs calls in flight to count.** The concurrency limit sheds calls the server is "
  "already holding (waiting on a backend); a server whose calls are pure CPU on one thread queues "
  "requests in the kernel and in HTTP/2 buffers, in front of any layer, and there only the client's "
  "deadline and `max_concurrent_streams` bound the wait.")
w("")

os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "load.md"), "w") as f:
    f.write("\n".join(lines) + "\n")
print("\n".join(lines))
