// R2 bucket binding: Cloudflare's JS API over a local store. env.R2 is an
// empty bucket; NOW is the store's clock (Unix seconds).

const bytesOf = (ab) => Array.from(new Uint8Array(ab));
const VALUE_MD5 = "2063c1608d6e0baf80249c42e2be5804"; // md5("value")
const rejectsWith = async (p, ctor, message) => {
  const e = await assertRejects(p, ctor);
  assertEquals(e.message, message);
};

test("an R2 binding is an R2Bucket", () => {
  assertEquals(Object.prototype.toString.call(env.R2), "[object R2Bucket]");
  for (const m of ["head", "get", "put", "delete", "list", "createMultipartUpload", "resumeMultipartUpload"]) {
    assertEquals(typeof env.R2[m], "function", m);
  }
});

test("put returns an R2Object with R2's fields", async () => {
  const o = await env.R2.put("greeting", "value", { customMetadata: { b: "2", a: "1" } });
  assertEquals(Object.prototype.toString.call(o), "[object R2Object]");
  assertEquals(Object.keys(o), ["key", "version", "size", "etag", "httpEtag", "checksums", "uploaded",
    "httpMetadata", "customMetadata", "storageClass"]);
  assertEquals(o.key, "greeting");
  assertEquals(o.size, 5);
  assertEquals(o.etag, VALUE_MD5);
  assertEquals(o.httpEtag, `"${VALUE_MD5}"`);
  assert(/^[0-9a-f]{32}$/.test(o.version), o.version);
  assert(o.uploaded instanceof Date, "uploaded is a Date");
  assertEquals(o.uploaded.getTime(), NOW * 1000);
  assertEquals(o.storageClass, "Standard");
  assertEquals(o.range, undefined);
  assertEquals(o.httpMetadata, {});
  assertEquals(o.customMetadata, { a: "1", b: "2" });
  assertEquals(o.checksums.toJSON(), { md5: VALUE_MD5 });
  assert(o.checksums.md5 instanceof ArrayBuffer && o.checksums.md5.byteLength === 16, "md5 is 16 bytes");
  assertEquals(o.checksums.sha1, undefined);
  assertEquals(o.uploaded, o.uploaded, "attributes are made once");
  assert(o.checksums === o.checksums, "the same checksums object each time");
  // JSON shows what R2's objects show.
  const json = JSON.parse(JSON.stringify(o));
  assertEquals(json.checksums, { md5: VALUE_MD5 });
  assertEquals(json.uploaded, new Date(NOW * 1000).toISOString());
  // Attributes are read-only; other properties can be added.
  o.key = "changed";
  assertEquals(o.key, "greeting");
  o.mine = 1;
  assertEquals(o.mine, 1);
});

test("head and get of a missing key are null", async () => {
  assertEquals(await env.R2.head("missing"), null);
  assertEquals(await env.R2.get("missing"), null);
  assertEquals(await env.R2.get("missing", { range: { offset: 5 }, onlyIf: { etagMatches: "x" } }), null);
});

test("get returns an R2ObjectBody readable every way", async () => {
  await env.R2.put("doc.json", '{"a":[1,"é"]}', { httpMetadata: { contentType: "application/json" } });
  const read = async (how) => (await env.R2.get("doc.json"))[how]();
  assertEquals(await read("text"), '{"a":[1,"é"]}');
  assertEquals(await read("json"), { a: [1, "é"] });
  assertEquals(bytesOf(await read("arrayBuffer")).length, 14);
  const u8 = await read("bytes");
  assert(u8 instanceof Uint8Array && u8.length === 14, "bytes() is a Uint8Array");
  const blob = await read("blob");
  assert(blob instanceof Blob, "blob() is a Blob");
  assertEquals(blob.type, "application/json");
  assertEquals(await blob.text(), '{"a":[1,"é"]}');

  const obj = await env.R2.get("doc.json");
  assertEquals(Object.prototype.toString.call(obj), "[object R2ObjectBody]");
  assertEquals(obj.range, { offset: 0, length: 14 });
  assert("body" in obj, "an R2ObjectBody has a body");
  assertEquals(obj.bodyUsed, false);
  assert(obj.body instanceof ReadableStream, "body is a ReadableStream");
  assert(obj.body === obj.body, "the same stream each time");
  assertEquals(await new Response(obj.body).text(), '{"a":[1,"é"]}');
  assertEquals(obj.bodyUsed, true);
  await rejectsWith(obj.text(), TypeError, "Body has already been used. It can only be used once. Use tee() first if you need to read it twice.");

  const twice = await env.R2.get("doc.json");
  await twice.arrayBuffer();
  assertEquals(twice.bodyUsed, true);
  await assertRejects(twice.json(), TypeError);
  // A reader sees the bytes, then the end.
  const streamed = await env.R2.get("doc.json");
  const reader = streamed.body.getReader();
  let got = "";
  const dec = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    got += dec.decode(value, { stream: true });
  }
  assertEquals(got, '{"a":[1,"é"]}');
  await rejectsWith(streamed.text(), TypeError, "Body has already been used. It can only be used once. Use tee() first if you need to read it twice.");
});

test("a large body streams in chunks", async () => {
  const big = new Uint8Array(300 << 10);
  for (let i = 0; i < big.length; i++) big[i] = i % 251;
  await env.R2.put("big", big);
  const obj = await env.R2.get("big");
  let n = 0, chunks = 0, ok = true;
  for await (const chunk of obj.body) {
    for (let i = 0; i < chunk.length; i++) if (chunk[i] !== (n + i) % 251) ok = false;
    n += chunk.length;
    chunks++;
  }
  assertEquals(n, 300 << 10);
  assert(ok, "the streamed bytes are the object's");
  assert(chunks > 1, `a 300 KiB body came in ${chunks} chunk(s)`);
});

test("put accepts every body type", async () => {
  const all = new Uint8Array(256).map((_, i) => i);
  const cases = [
    ["string", "héllo", [104, 195, 169, 108, 108, 111]],
    ["ArrayBuffer", all.buffer.slice(0, 3), [0, 1, 2]],
    ["Uint8Array view", all.subarray(10, 13), [10, 11, 12]],
    ["DataView", new DataView(all.buffer, 250, 3), [250, 251, 252]],
    ["Blob", new Blob(["a", new Uint8Array([98])]), [97, 98]],
    ["Response body", new Response("from a stream").body, Array.from(new TextEncoder().encode("from a stream"))],
    ["JS stream", new ReadableStream({
      start(c) { c.enqueue(new Uint8Array([1, 2])); c.enqueue(new Uint8Array([3])); c.close(); },
    }), [1, 2, 3]],
    ["null", null, []],
  ];
  for (const [name, value, want] of cases) {
    const o = await env.R2.put("t/" + name, value);
    assertEquals(o.size, want.length, name);
    assertEquals(bytesOf(await (await env.R2.get("t/" + name)).arrayBuffer()), want, name);
  }
  // The bytes are copied when put is called.
  const mutable = new Uint8Array([1, 2, 3]);
  const p = env.R2.put("copied", mutable);
  mutable[0] = 99;
  await p;
  assertEquals(bytesOf(await (await env.R2.get("copied")).arrayBuffer()), [1, 2, 3]);
  for (const bad of [42, {}, [1, 2], true]) {
    await rejectsWith(env.R2.put("bad", bad), TypeError,
      "Failed to execute 'put' on 'R2Bucket': parameter 2 is not of type 'ReadableStream or ArrayBuffer or ArrayBufferView or string or Blob'.");
  }
  assertEquals(await env.R2.head("bad"), null);
  const used = new Response("x").body;
  await used.getReader().read();
  await assertRejects(env.R2.put("used", used), TypeError);
});

test("a stream that errors fails the put and stores nothing", async () => {
  const failing = new ReadableStream({
    start(c) { c.enqueue(new Uint8Array([1])); c.error(new Error("boom")); },
  });
  await assertRejects(env.R2.put("failing", failing), Error);
  assertEquals(await env.R2.head("failing"), null);
});

test("ranges", async () => {
  await env.R2.put("r", "value");
  const cases = [
    [{ offset: 3 }, "ue", { offset: 3, length: 2 }],
    [{ length: 3 }, "val", { offset: 0, length: 3 }],
    [{ offset: 1, length: 3 }, "alu", { offset: 1, length: 3 }],
    [{ suffix: 3 }, "lue", { offset: 2, length: 3 }],
    [{ suffix: 42 }, "value", { offset: 0, length: 5 }],
    [new Headers({ range: "bytes=1-2" }), "al", { offset: 1, length: 2 }],
    [new Headers({ range: "bytes=-2" }), "ue", { offset: 3, length: 2 }],
    [new Headers(), "value", { offset: 0, length: 5 }],
  ];
  for (const [range, text, r] of cases) {
    const obj = await env.R2.get("r", { range });
    assertEquals(await obj.text(), text, JSON.stringify(range));
    assertEquals(obj.range, r, JSON.stringify(range));
    assertEquals(obj.size, 5);
  }
  for (const range of [{ offset: 42 }, { length: 0 }, { suffix: 0 }]) {
    await rejectsWith(env.R2.get("r", { range }), Error, "get: The requested range is not satisfiable (10039)");
  }
  await rejectsWith(env.R2.get("r", { range: { offset: -1 } }), RangeError,
    "Invalid range. Starting offset (-1) must be greater than or equal to 0.");
  await rejectsWith(env.R2.get("r", { range: { offset: 1.5 } }), RangeError,
    "Invalid range. Starting offset (1.5) must be an integer, not floating point.");
  await rejectsWith(env.R2.get("r", { range: { length: -2 } }), RangeError,
    "Invalid range. Length (-2) must be greater than or equal to 0.");
  await rejectsWith(env.R2.get("r", { range: { offset: 1, suffix: 2 } }), TypeError, "Suffix is incompatible with offset.");
  await rejectsWith(env.R2.get("r", { range: { length: 1, suffix: 2 } }), TypeError, "Suffix is incompatible with length.");
});

test("conditional get: a failed condition gives the object without a body", async () => {
  const put = await env.R2.put("c", "value");
  const hit = await env.R2.get("c", { onlyIf: { etagMatches: put.etag } });
  assertEquals(await hit.text(), "value");
  const miss = await env.R2.get("c", { onlyIf: { etagDoesNotMatch: put.etag } });
  assertEquals(Object.prototype.toString.call(miss), "[object R2Object]");
  assert(!("body" in miss), "no body on a failed condition");
  assertEquals(miss.etag, put.etag);
  assertEquals(miss.range, undefined);
  assert((await env.R2.get("c", { onlyIf: { uploadedAfter: new Date((NOW - 60) * 1000) } })).body, "uploadedAfter past");
  assert(!("body" in await env.R2.get("c", { onlyIf: { uploadedBefore: new Date((NOW - 60) * 1000) } })), "uploadedBefore past");
  // Request headers work as onlyIf: the If-None-Match → 304 pattern.
  const h304 = await env.R2.get("c", { onlyIf: new Headers({ "if-none-match": put.httpEtag }) });
  assert(!("body" in h304), "If-None-Match with the etag");
  const h200 = await env.R2.get("c", { onlyIf: new Headers({ "if-none-match": '"other"', "if-match": "*" }) });
  assertEquals(await h200.text(), "value");
  const since = new Date((NOW + 60) * 1000).toUTCString();
  assert(!("body" in await env.R2.get("c", { onlyIf: new Headers({ "if-modified-since": since }) })), "If-Modified-Since later");
  await rejectsWith(env.R2.get("c", { onlyIf: { etagMatches: `"${put.etag}"` } }), TypeError,
    `Conditional ETag should not be wrapped in quotes ("${put.etag}").`);
  await rejectsWith(env.R2.get("c", { onlyIf: new Headers({ "if-match": '"a" "b"' }) }), Error,
    `Comma was expected to separate etags. Encountered a double quote character '"' instead. This would otherwise indicate the start of a new strong etag.`);
});

test("conditional put: a failed condition stores nothing and gives null", async () => {
  const first = await env.R2.put("cp", "1");
  assertEquals(await env.R2.put("cp", "2", { onlyIf: { etagMatches: "nope" } }), null);
  assertEquals(await (await env.R2.get("cp")).text(), "1");
  const second = await env.R2.put("cp", "2", { onlyIf: { etagMatches: first.etag } });
  assert(second !== null, "matching etag stores");
  assertEquals(await env.R2.put("cp", "3", { onlyIf: new Headers({ "if-none-match": "*" }) }), null);
  assert(await env.R2.put("fresh", "x", { onlyIf: new Headers({ "if-none-match": "*" }) }), "create-only put of a new key");
});

test("checksums are verified", async () => {
  const md5 = VALUE_MD5;
  const o = await env.R2.put("sum", "value", { md5 });
  assertEquals(o.checksums.toJSON(), { md5 });
  const sha256 = await crypto.subtle.digest("SHA-256", new TextEncoder().encode("value"));
  const withSha = await env.R2.put("sum", "value", { sha256 });
  const hex = (ab) => bytesOf(ab).map((b) => b.toString(16).padStart(2, "0")).join("");
  assertEquals(withSha.checksums.toJSON(), { md5, sha256: hex(sha256) });
  assertEquals((await env.R2.head("sum")).checksums.toJSON(), { md5, sha256: hex(sha256) });
  const bad = "0" + md5.slice(1);
  await rejectsWith(env.R2.put("sum", "value", { md5: bad }), Error,
    `put: The MD5 checksum you specified did not match what we received.\nYou provided a MD5 checksum with value: ${bad}\nActual MD5 was: ${md5} (10037)`);
  await rejectsWith(env.R2.put("sum", "value", { md5, sha1: "00".repeat(20) }), TypeError, "You cannot specify multiple hashing algorithms.");
  await rejectsWith(env.R2.put("sum", "value", { md5: "abc" }), TypeError, "MD5 is 32 hex characters, not 3");
  await rejectsWith(env.R2.put("sum", "value", { sha1: new Uint8Array(3) }), TypeError, "SHA-1 is 20 bytes, not 3");
  await rejectsWith(env.R2.put("sum", "value", { md5: "zz".repeat(16) }), TypeError, "Provided MD5 wasn't a valid hex string");
});

test("HTTP metadata: from an object or Headers, back with writeHttpMetadata", async () => {
  const expiry = new Date("2030-02-24T00:00:00Z");
  await env.R2.put("h", "v", {
    httpMetadata: { contentType: "text/plain", contentLanguage: "en-GB", contentDisposition: "inline",
      contentEncoding: "identity", cacheControl: "max-age=60", cacheExpiry: expiry },
  });
  const o = await env.R2.head("h");
  assertEquals(o.httpMetadata, { contentType: "text/plain", contentLanguage: "en-GB", contentDisposition: "inline",
    contentEncoding: "identity", cacheControl: "max-age=60", cacheExpiry: expiry.toISOString() });
  assert(o.httpMetadata.cacheExpiry instanceof Date, "cacheExpiry is a Date");
  const headers = new Headers({ "x-kept": "1" });
  assertEquals(o.writeHttpMetadata(headers), undefined);
  assertEquals([...headers], [["cache-control", "max-age=60"], ["content-disposition", "inline"],
    ["content-encoding", "identity"], ["content-language", "en-GB"], ["content-type", "text/plain"],
    ["expires", "Sun, 24 Feb 2030 00:00:00 GMT"], ["x-kept", "1"]]);
  assertThrows(() => o.writeHttpMetadata({}), TypeError);

  // From request headers, as in `put(key, request.body, { httpMetadata: request.headers })`.
  await env.R2.put("h2", "v", { httpMetadata: new Headers({ "content-type": "image/png", expires: "Sun, 24 Feb 2030 00:00:00 GMT", "x-other": "no" }) });
  assertEquals((await env.R2.head("h2")).httpMetadata, { contentType: "image/png", cacheExpiry: expiry.toISOString() });
});

test("custom metadata limit", async () => {
  await env.R2.put("m", "v", { customMetadata: { key: "x".repeat(2045) } });
  await rejectsWith(env.R2.put("m", "v", { customMetadata: { key: "x".repeat(2046) } }), Error,
    "put: Your metadata headers exceed the maximum allowed metadata size. (10012)");
  await rejectsWith(env.R2.put("k".repeat(1025), "v"), Error, "put: The specified object name is not valid. (10020)");
  await rejectsWith(env.R2.head("k".repeat(1025)), Error, "head: The specified object name is not valid. (10020)");
});

test("delete one key or many", async () => {
  for (const k of ["del/1", "del/2", "del/3", "del/4"]) await env.R2.put(k, k);
  assertEquals(await env.R2.delete("del/1"), undefined);
  await env.R2.delete(["del/2", "del/3", "never-there"]);
  assertEquals((await env.R2.list({ prefix: "del/" })).objects.map((o) => o.key), ["del/4"]);
  await env.R2.delete("never-there");
});

test("list: pages, prefixes, delimiters and include", async () => {
  for (const k of ["l/a/1", "l/a/2", "l/b", "l/c/3", "l/d"]) {
    await env.R2.put(k, k, { httpMetadata: { contentType: "text/plain" }, customMetadata: { k } });
  }
  const all = await env.R2.list({ prefix: "l/" });
  assertEquals(Object.keys(all), ["objects", "truncated", "delimitedPrefixes"]);
  assertEquals(all.objects.map((o) => o.key), ["l/a/1", "l/a/2", "l/b", "l/c/3", "l/d"]);
  assertEquals(all.truncated, false);
  assertEquals(all.cursor, undefined);
  // Without include, list objects carry no metadata (and say so when asked).
  assertEquals(all.objects[0].httpMetadata, undefined);
  assertEquals(all.objects[0].customMetadata, undefined);
  assertEquals(all.objects[0].size, 5);
  assertThrows(() => all.objects[0].writeHttpMetadata(new Headers()), TypeError,
    "HTTP metadata unknown for key `l/a/1`. Did you forget to add 'httpMetadata' to `include` when listing?");
  const withMeta = await env.R2.list({ prefix: "l/b", include: ["httpMetadata", "customMetadata"] });
  assertEquals(withMeta.objects[0].httpMetadata, { contentType: "text/plain" });
  assertEquals(withMeta.objects[0].customMetadata, { k: "l/b" });

  const dirs = await env.R2.list({ prefix: "l/", delimiter: "/" });
  assertEquals(dirs.objects.map((o) => o.key), ["l/b", "l/d"]);
  assertEquals(dirs.delimitedPrefixes, ["l/a/", "l/c/"]);

  const page1 = await env.R2.list({ prefix: "l/", limit: 2 });
  assertEquals(page1.objects.map((o) => o.key), ["l/a/1", "l/a/2"]);
  assertEquals(page1.truncated, true);
  assertEquals(typeof page1.cursor, "string");
  const page2 = await env.R2.list({ prefix: "l/", limit: 2, cursor: page1.cursor });
  assertEquals(page2.objects.map((o) => o.key), ["l/b", "l/c/3"]);
  assertEquals((await env.R2.list({ prefix: "l/", startAfter: "l/c/3" })).objects.map((o) => o.key), ["l/d"]);

  await rejectsWith(env.R2.list({ limit: 0 }), Error, "list: MaxKeys params must be positive integer <= 1000. (10022)");
  await rejectsWith(env.R2.list({ limit: 1001 }), Error, "list: MaxKeys params must be positive integer <= 1000. (10022)");
  await rejectsWith(env.R2.list({ include: ["everything"] }), RangeError, "Unsupported include value everything");
});

test("multipart upload", async () => {
  const upload = await env.R2.createMultipartUpload("mp", {
    httpMetadata: new Headers({ "content-type": "video/mp4" }), customMetadata: { by: "js" },
  });
  assertEquals(Object.prototype.toString.call(upload), "[object R2MultipartUpload]");
  assertEquals(upload.key, "mp");
  assert(typeof upload.uploadId === "string" && upload.uploadId.length > 20, "an upload id");
  const one = "1".repeat(5 * 1024 * 1024);
  const p1 = await upload.uploadPart(1, one);
  const p2 = await upload.uploadPart(2, new Uint8Array([50, 50]));
  assertEquals(Object.keys(p1), ["partNumber", "etag"]);
  assertEquals(p1.partNumber, 1);
  const resumed = env.R2.resumeMultipartUpload("mp", upload.uploadId);
  assertEquals(resumed.uploadId, upload.uploadId);
  const obj = await resumed.complete([p1, p2]);
  assertEquals(Object.prototype.toString.call(obj), "[object R2Object]");
  assertEquals(obj.size, 5 * 1024 * 1024 + 2);
  assert(/^[0-9a-f]{32}-2$/.test(obj.etag), obj.etag);
  assertEquals(obj.checksums.toJSON(), {});
  assertEquals(obj.httpMetadata, { contentType: "video/mp4" });
  assertEquals(obj.customMetadata, { by: "js" });
  const tail = await env.R2.get("mp", { range: { suffix: 4 } });
  assertEquals(await tail.text(), "1122");

  const small = await env.R2.createMultipartUpload("small");
  const s1 = await small.uploadPart(1, "a");
  const s2 = await small.uploadPart(2, "b");
  await rejectsWith(small.complete([s1, s2]), Error,
    "completeMultipartUpload: Your proposed upload is smaller than the minimum allowed object size. (10011)");
  await rejectsWith(small.uploadPart(0, "x"), TypeError, "Part number must be between 1 and 10000 (inclusive). Actual value was: 0");
  await rejectsWith(small.complete([{ partNumber: 10001, etag: "x" }]), TypeError,
    "Part number must be between 1 and 10000 (inclusive). Actual value was: 10001");
  await rejectsWith(small.uploadPart(1, {}), TypeError,
    "Failed to execute 'uploadPart' on 'R2MultipartUpload': parameter 2 is not of type 'ReadableStream or ArrayBuffer or ArrayBufferView or string or Blob'.");
  assertEquals(await small.abort(), undefined);
  await rejectsWith(small.uploadPart(3, "c"), Error, "uploadPart: The specified multipart upload does not exist. (10024)");
  await rejectsWith(env.R2.resumeMultipartUpload("small", "no-such-id").abort(), Error,
    "abortMultipartUpload: We encountered an internal error. Please try again. (10001)");
  assertEquals(await env.R2.head("small"), null);
});
