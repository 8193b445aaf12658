// A connect-node server for the test ShapesService, built at run time
// from the FileDescriptorSet typerpc renders (no code generation). It
// speaks Connect, gRPC and gRPC-Web, on HTTP/1.1 and on HTTP/2 (h2c), one
// port each. Prints {"h1": PORT, "h2": PORT}, then serves until killed.
// Usage: node connect_server.mjs FDS_PATH
import { readFileSync } from "node:fs";
import * as http from "node:http";
import * as http2 from "node:http2";
import { once } from "node:events";
import { ConnectError, decodeBinaryHeader, encodeBinaryHeader } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { create, createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";

const [, , fdsPath] = process.argv;
const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(fdsPath)));
const service = registry.getService("shapes.v1.ShapesService");
const Res = registry.getMessage("shapes.v1.Res");
const ErrorDetail = registry.getMessage("shapes.v1.ErrorDetail");

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

function metadata(ctx) {
  ctx.responseHeader.set("x-answer", "yes");
  ctx.responseTrailer.set("x-trailer", "done");
  ctx.responseTrailer.set("x-trailer-bin", encodeBinaryHeader(new Uint8Array([0, 1, 2])));
}

function failure(code, text) {
  return new ConnectError(`failing: ${text}`, code, undefined, [
    { desc: ErrorDetail, value: { reason: `asked for ${code}` } },
  ]);
}

function echo(ctx, req, index) {
  const binary = ctx.requestHeader.get("x-test-bin");
  return create(Res, {
    text: req.text,
    index,
    header: ctx.requestHeader.get("x-test") ?? "",
    binaryHeader: binary ? Buffer.from(decodeBinaryHeader(binary)).toString("hex") : "",
  });
}

const shapes = {
  async unary(req, ctx) {
    await sleep(req.delayMs, ctx.signal);
    metadata(ctx);
    if (req.failCode) throw failure(req.failCode, req.text);
    return echo(ctx, req, 0);
  },
  async *serverStream(req, ctx) {
    metadata(ctx);
    for (let i = 0; i < req.count; i++) {
      await sleep(req.delayMs, ctx.signal);
      yield echo(ctx, req, i);
    }
    if (req.failCode) throw failure(req.failCode, req.text);
  },
  async clientStream(reqs, ctx) {
    metadata(ctx);
    const texts = [];
    for await (const req of reqs) {
      if (req.failCode) throw failure(req.failCode, req.text);
      texts.push(req.text);
    }
    return create(Res, { text: texts.join(","), index: texts.length });
  },
  async *bidi(reqs, ctx) {
    metadata(ctx);
    let index = 0;
    for await (const req of reqs) {
      if (req.failCode) throw failure(req.failCode, req.text);
      yield echo(ctx, req, index++);
    }
  },
};

const handler = connectNodeAdapter({ routes: (router) => router.service(service, shapes) });
const h1 = http.createServer(handler).listen(0, "127.0.0.1");
const h2 = http2.createServer(handler).listen(0, "127.0.0.1");
await Promise.all([once(h1, "listening"), once(h2, "listening")]);
console.log(JSON.stringify({ h1: h1.address().port, h2: h2.address().port }));
