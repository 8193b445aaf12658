// A connect-node client that sends an invalid order and prints the
// google.rpc.BadRequest detail it decodes, as JSON [[field, description, reason], ...].
// Usage: node connect_validation.mjs FDS_PATH BASE_URL HTTP_VERSION(1.1|2) BINARY(0|1)
import { readFileSync } from "node:fs";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { create, createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";

const [, , fdsPath, baseUrl, httpVersion, binary] = process.argv;
const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(fdsPath)));
const service = registry.getService("validation.v1.OrderService");
const Order = registry.getMessage("validation.v1.Order");
const Item = registry.getMessage("validation.v1.Item");
const BadRequest = registry.getMessage("google.rpc.BadRequest");
const transport = createConnectTransport({ baseUrl, httpVersion, useBinaryFormat: binary === "1" });
const client = createClient(service, transport);

try {
  await client.place(
    create(Order, { name: "", limit: 0, tags: ["abcd"], products: [create(Item, { sku: "", price: 1 })] }),
  );
  console.error("Place accepted an invalid order");
  process.exit(1);
} catch (e) {
  const error = ConnectError.from(e);
  if (error.code !== Code.InvalidArgument) {
    console.error("code " + error.code + ": " + error.rawMessage);
    process.exit(1);
  }
  const [bad] = error.findDetails(BadRequest);
  if (!bad) {
    console.error("no BadRequest detail: " + JSON.stringify(error.details));
    process.exit(1);
  }
  console.log(JSON.stringify(bad.fieldViolations.map((v) => [v.field, v.description, v.reason])));
}
