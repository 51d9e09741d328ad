// A payment's life through a client generated from Gerbang's OpenAPI document by openapi-typescript:
// create (with an Idempotency-Key), get, list with limit, pay it in test mode, refund part of it, read
// the refund back. It compiles only if the document types each body and answer; it exits non-zero on
// any answer other than the one the document promises.
import createClient from "openapi-fetch";
import type { paths } from "./generated/schema.js";

declare const process: { env: Record<string, string | undefined>; exitCode?: number };

const baseUrl = process.env.GERBANG_URL;
const key = process.env.GERBANG_KEY;
const orderId = process.env.GERBANG_ORDER_ID ?? "TS-ORDER-1";
if (!baseUrl || !key) {
  throw new Error("GERBANG_URL and GERBANG_KEY are required");
}

const client = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${key}` } });

function expect(condition: boolean, what: string): asserts condition {
  if (!condition) {
    throw new Error(`unexpected: ${what}`);
  }
}

const created = await client.POST("/v1/payments", {
  params: { header: { "Idempotency-Key": `create-${orderId}` } },
  body: { amount: 150000, currency: "IDR", method: "qris", order_id: orderId, customer: { name: "Budi Santoso" } },
});
expect(created.response.status === 201 && created.data !== undefined, `create answered ${created.response.status}`);
const payment = created.data;
const id: string = payment.id;
expect(payment.status === "pending" && payment.amount === 150000, `created payment ${JSON.stringify(payment)}`);

const fetched = await client.GET("/v1/payments/{id}", { params: { path: { id } } });
expect(fetched.data?.order_id === orderId, "get");

const listed = await client.GET("/v1/payments", { params: { query: { limit: 1, order_id: orderId } } });
expect(listed.data !== undefined && listed.data.data.length === 1 && listed.data.data[0]?.id === id, "list with limit");

const paid = await client.POST("/v1/test_helpers/payments/{id}/pay", { params: { path: { id } } });
expect(paid.data?.status === "paid", `pay answered ${paid.response.status}`);

const refund = await client.POST("/v1/payments/{id}/refunds", {
  params: { path: { id }, header: { "Idempotency-Key": `refund-${orderId}` } },
  body: { amount: 50000, reason: "returned one item" },
});
expect(refund.response.status === 201 && refund.data !== undefined, `refund answered ${refund.response.status}`);
const refundId: string = refund.data.id;

const missing = await client.GET("/v1/refunds/{id}", { params: { path: { id: "re_missing" } } });
expect(missing.response.status === 404 && missing.error?.code === "resource_missing", "a missing refund is a typed problem");

const readBack = await client.GET("/v1/refunds/{id}", { params: { path: { id: refundId } } });
expect(readBack.data?.payment === id && readBack.data.amount === 50000, "refund read back");

console.log(JSON.stringify({ payment: id, refund: refundId, status: readBack.data.status }));
