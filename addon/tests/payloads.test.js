import assert from "node:assert/strict";
import { test } from "node:test";
import { binaryStringToBase64, scoreRequest, sentRequest, stripHtml } from "../lib/payloads.js";

test("the score request sends the plain text and the original", () => {
  assert.deepEqual(scoreRequest({ plainTextBody: "Hi", body: "<p>Hi</p>" }, "QUJD"),
                   { text: "Hi", original: { raw_base64: "QUJD" } });
  assert.deepEqual(scoreRequest({ body: "<p>Hi<br>there</p>" }, null), { text: "Hi\nthere\n" });
});

test("the sent request carries headers, threading and the final report", () => {
  const details = { from: "Me <me@example.com>", to: ["Anna <anna@customer.example>"],
                    cc: [], subject: "Re: Invoice" };
  const report = { score: 62, verdict: "warn", language: "en", findings: [], promises: [],
                   body: "not sent to the ledger" };
  const payload = sentRequest(details, { headerMessageId: "m1@example.com" }, report,
                              { headerMessageId: "q1@customer.example" },
                              new Date("2026-03-04T09:00:00Z"));
  assert.deepEqual(payload, {
    message: { message_id: "m1@example.com", date: "2026-03-04T09:00:00.000Z",
               from: "Me <me@example.com>", to: ["Anna <anna@customer.example>"], cc: [],
               subject: "Re: Invoice", in_reply_to: "q1@customer.example",
               references: ["q1@customer.example"] },
    report: { score: 62, verdict: "warn", language: "en", findings: [], promises: [] },
  });
});

test("base64 of a big binary string equals base64 of the whole", () => {
  const binary = Array.from({ length: 100000 }, (_, i) => String.fromCharCode(i % 256)).join("");
  assert.equal(binaryStringToBase64(binary), Buffer.from(binary, "latin1").toString("base64"));
});

test("stripHtml drops tags, scripts and decodes entities", () => {
  assert.equal(stripHtml("<style>p{}</style><p>A &amp; B</p>"), "A & B\n");
});
