// A connect-node client for the test EchoService, built at run time from
// the FileDescriptorSet typerpc serves (no code generation).
// Usage: node connect_client.mjs FDS_PATH BASE_URL HTTP_VERSION(1.1|2) BINARY(0|1)
import { readFileSync } from "node:fs";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { create, createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";

const [, , fdsPath, baseUrl, httpVersion, binary] = process.argv;
const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(fdsPath)));
const service = registry.getService("echo.v1.EchoService");
const Request = registry.getMessage("echo.v1.EchoRequest");
const transport = createConnectTransport({ baseUrl, httpVersion, useBinaryFormat: binary === "1" });
const client = createClient(service, transport);

function check(condition, what) {
  if (!condition) {
    console.error("failed: " + what);
    process.exit(1);
  }
}

let headers;
let trailers;
const reply = await client.echo(create(Request, { text: "node", count: 7n }), {
  headers: { "x-test": "from-node" },
  onHeader: (h) => (headers = h),
  onTrailer: (t) => (trailers = t),
});
check(reply.text === "node" && reply.count === 7n && reply.header === "from-node", JSON.stringify(reply, (k, v) => (typeof v === "bigint" ? v.toString() : v)));
check(headers.get("x-answer") === "yes", "response header");
check(trailers.get("x-trailer") === "done", "response trailer");

try {
  await client.fail(create(Request, { text: "x", code: 5 }));
  check(false, "Fail did not fail");
} catch (e) {
  const error = ConnectError.from(e);
  check(error.code === Code.NotFound, "code " + error.code);
  check(error.rawMessage === "failing: x", "message " + error.rawMessage);
  check(error.details.length === 1 && error.details[0].desc === undefined && error.details[0].type === "echo.v1.ErrorInfo", "details " + JSON.stringify(error.details));
}

try {
  await client.slow(create(Request, { delayMs: 2000 }), { timeoutMs: 100 });
  check(false, "Slow did not time out");
} catch (e) {
  check(ConnectError.from(e).code === Code.DeadlineExceeded, "deadline " + ConnectError.from(e).code);
}
console.log("ok");
