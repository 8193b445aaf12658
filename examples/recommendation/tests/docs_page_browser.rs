//! The `/docs` page in a real browser: headless Chromium (driven by
//! puppeteer-core) opens it with Swagger UI served from a local copy of
//! the `swagger-ui-dist` npm package, finds every method listed, and a
//! "try it out" call returns the server's real response. With `CI=true` a
//! missing peer or browser fails.

#[path = "../../../crates/typerpc/tests/common/peers.rs"]
mod peers;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use recommendation::RecommendationService;
use typerpc::openapi::DocsPage;
use typerpc::testing::TestServer;
use typerpc::Router;

/// Opens the page, lists the operations, and tries `GetRecommendations`
/// with a request; prints `{"operations": [...], "status": ..., "body": ...}`.
const BROWSE: &str = r##"
import puppeteer from "puppeteer-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
const [docs, chromium] = process.argv.slice(1);
const profile = mkdtempSync(join(tmpdir(), "typerpc-chromium-"));
const browser = await puppeteer.launch({
  executablePath: chromium, headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         `--user-data-dir=${profile}`],
});
try {
  const page = await browser.newPage();
  const failed = [];
  page.on("requestfailed", (r) => failed.push(r.url()));
  await page.goto(docs, { waitUntil: "networkidle0", timeout: 30000 });
  await page.waitForSelector(".opblock", { timeout: 30000 });
  const operations = await page.$$eval(".opblock", (blocks) => blocks.map((b) =>
    `${b.querySelector(".opblock-summary-method").textContent} ${b.querySelector(".opblock-summary-path").getAttribute("data-path")}`));
  const blocks = await page.$$(".opblock-post");
  let block = null;
  for (const b of blocks) {
    const path = await b.$eval(".opblock-summary-path", (e) => e.getAttribute("data-path"));
    if (path.endsWith("/GetRecommendations")) block = b;
  }
  await (await block.$(".opblock-summary")).click();
  // The page opens operations ready to try; otherwise press "Try it out".
  await block.waitForSelector(".try-out__btn", { timeout: 10000 });
  if (!(await block.$("textarea.body-param__text"))) await (await block.$(".try-out__btn")).click();
  const body = await block.waitForSelector("textarea.body-param__text", { timeout: 10000 });
  await body.click({ clickCount: 3 });
  await page.keyboard.down("Control"); await page.keyboard.press("a"); await page.keyboard.up("Control");
  await page.keyboard.press("Backspace");
  await body.type('{"userId": "u1", "category": "books", "limit": 1}');
  await (await block.$(".btn.execute")).click();
  await block.waitForSelector(".live-responses-table tr.response .response-col_status", { timeout: 15000 });
  const status = await block.$eval(".live-responses-table tr.response .response-col_status", (e) => e.textContent.trim());
  const text = await block.$eval(".live-responses-table .response-col_description pre", (e) => e.textContent);
  console.log(JSON.stringify({ operations, status, body: text, failed }));
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
"##;

/// A static file server (Python's) for `dir` on a free loopback port.
struct StaticFiles {
    child: Child,
    url: String,
}

impl StaticFiles {
    fn start(python: &std::path::Path, dir: &std::path::Path) -> StaticFiles {
        let mut child = Command::new(python)
            .args([
                "-u",
                "-m",
                "http.server",
                "0",
                "--bind",
                "127.0.0.1",
                "--directory",
            ])
            .arg(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python http.server starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        // "Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ..."
        let port = line
            .split("port ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        StaticFiles {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for StaticFiles {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| dirs.iter().map(move |d| d.join(name)))
        .find(|p| p.is_file());
    if found.is_none() {
        let message = "no Chromium on PATH (apt install chromium)";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{message}");
        }
        eprintln!("skipping: {message}");
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_docs_page_lists_every_method_and_tries_one() {
    let (Some(python), Some(node_dir), Some(chromium)) =
        (peers::peer("python"), peers::node_dir(), chromium())
    else {
        return;
    };
    let viewer_dir = node_dir.join("node_modules/swagger-ui-dist");
    assert!(
        viewer_dir.join("swagger-ui-bundle.js").is_file(),
        "run scripts/peers"
    );
    let files = StaticFiles::start(&python, &viewer_dir);
    let router = Router::new()
        .add(RecommendationService::new())
        .with_openapi("/api/openapi.json")
        .with_docs_page(
            "/api/docs",
            DocsPage::new().viewer(&files.url).title("Recommendations"),
        );
    let server = TestServer::start(router).await;
    let docs = format!("{}/api/docs", server.url());
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .current_dir(&node_dir)
            .args(["--input-type=module", "-e", BROWSE])
            .arg(&docs)
            .arg(&chromium)
            .output()
            .expect("node runs")
    })
    .await
    .unwrap();
    server.shutdown().await;
    drop(files);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let seen: serde_json::Value =
        serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
    let mut operations: Vec<&str> = seen["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_str().unwrap())
        .collect();
    operations.sort();
    assert_eq!(
        operations,
        [
            "GET /recommendation.v1.RecommendationService/GetTrending",
            "POST /recommendation.v1.RecommendationService/GetRecommendations",
            "POST /recommendation.v1.RecommendationService/GetTrending",
        ],
        "{seen}"
    );
    assert_eq!(seen["status"], "200", "{seen}");
    let body: serde_json::Value = serde_json::from_str(seen["body"].as_str().unwrap()).unwrap();
    let products = body["products"].as_array().unwrap();
    assert_eq!(products.len(), 1, "{body}");
    assert!(
        products[0]["id"].as_str().unwrap().starts_with("b-"),
        "{body}"
    );
    assert_eq!(seen["failed"], serde_json::json!([]), "every file loaded");
}
