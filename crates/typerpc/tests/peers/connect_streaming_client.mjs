// A connect-node client for the test StreamService (every streaming
// shape), built at run time from the FileDescriptorSet typerpc serves.
// Usage: node connect_streaming_client.mjs FDS_PATH BASE_URL HTTP_VERSION(1.1|2) BINARY(0|1)
// Over HTTP/2 the bidi call is checked to be full duplex (each answer
// arrives before the next request is sent); over HTTP/1.1 the client
// sends its whole request first (half duplex).
import { readFileSync } from "node:fs";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { create, createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";

const [, , fdsPath, baseUrl, httpVersion, binary] = process.argv;
const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(fdsPath)));
const service = registry.getService("stream.v1.StreamService");
const CountRequest = registry.getMessage("stream.v1.CountRequest");
const NumberMessage = registry.getMessage("stream.v1.Number");
const transport = createConnectTransport({ baseUrl, httpVersion, useBinaryFormat: binary === "1" });
const client = createClient(service, transport);

function check(condition, what) {
  if (!condition) {
    console.error("failed: " + what);
    process.exit(1);
  }
}

// Server streaming, with a header and a trailer.
let headers;
let trailers;
const counted = [];
for await (const message of client.count(create(CountRequest, { to: 4 }), {
  onHeader: (h) => (headers = h),
  onTrailer: (t) => (trailers = t),
})) {
  counted.push(message.n);
}
check(counted.join(",") === "1,2,3,4", "count " + counted);
check(headers.get("x-stream") === "count", "header");
check(trailers.get("x-last") === "4", "trailer");

// An error after some messages, with its detail.
const before = [];
try {
  for await (const message of client.count(create(CountRequest, { to: 5, failAt: 3 }))) {
    before.push(message.n);
  }
  check(false, "count did not fail");
} catch (e) {
  const error = ConnectError.from(e);
  check(error.code === Code.Aborted, "code " + error.code);
  check(error.rawMessage === "stopped at 3", "message " + error.rawMessage);
  check(error.details.length === 1 && error.details[0].type === "stream.v1.StopInfo", "details");
}
check(before.join(",") === "1,2", "messages before the error " + before);

async function* numbers(values) {
  for (const value of values) {
    yield create(NumberMessage, { value: BigInt(value) });
  }
}

// Client streaming.
const total = await client.sum(numbers([1, 2, 3, 4]));
check(total.sum === 10n && total.count === 4, "sum " + total.sum);
try {
  await client.sum(numbers([1, -1]));
  check(false, "sum did not fail");
} catch (e) {
  check(ConnectError.from(e).code === Code.InvalidArgument, "sum code");
}

// Bidirectional.
if (httpVersion === "2") {
  // Full duplex: send one, read its answer, then send the next.
  let release;
  const queue = [];
  async function* live() {
    for (;;) {
      while (queue.length === 0) {
        await new Promise((r) => (release = r));
      }
      const value = queue.shift();
      if (value === null) return;
      yield create(NumberMessage, { value: BigInt(value) });
    }
  }
  const push = (v) => {
    queue.push(v);
    if (release) release();
  };
  const answers = client.double(live())[Symbol.asyncIterator]();
  for (const value of [1, 2, 3]) {
    push(value);
    const answer = await answers.next();
    check(!answer.done && answer.value.value === BigInt(value * 2), "double " + value);
  }
  push(null);
  check((await answers.next()).done, "the stream ends after the requests");
} else {
  // Half duplex: all requests, then all answers.
  const doubled = [];
  for await (const answer of client.double(numbers([5, 6, 7]))) {
    doubled.push(answer.value);
  }
  check(doubled.join(",") === "10,12,14", "doubled " + doubled);
}
console.log("ok");
