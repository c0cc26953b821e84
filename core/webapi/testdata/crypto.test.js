// Web Crypto: interfaces, digest, HMAC, AES, HKDF, PBKDF2 and argument
// validation. Vectors are from the RFCs and NIST publications named by each
// test. (RSA, EC and OKP keys are in crypto_asym.test.js.)

const subtle = crypto.subtle;
const te = new TextEncoder();
const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
const unhex = (s) => new Uint8Array(s.match(/../g).map((h) => parseInt(h, 16)));
const rejectsWith = async (p, name, what) => {
  try {
    await p;
  } catch (e) {
    assertEquals(e && e.name, name, what || "error name");
    return e;
  }
  throw new Error(`${what || "operation"}: expected a ${name} rejection`);
};
const raw = (bytes, alg, usages, extractable = true) => subtle.importKey("raw", bytes, alg, extractable, usages);

test("crypto, crypto.subtle and CryptoKey are the Web IDL interfaces", async () => {
  assert(crypto instanceof Crypto);
  assert(crypto.subtle instanceof SubtleCrypto);
  assert(crypto.subtle === crypto.subtle, "subtle is one object");
  assertThrows(() => new CryptoKey(), TypeError);
  assertThrows(() => new SubtleCrypto(), TypeError);
  assertEquals(Object.prototype.toString.call(crypto.subtle), "[object SubtleCrypto]");
  const lengths = {};
  for (const m of ["encrypt", "decrypt", "sign", "verify", "digest", "generateKey", "deriveKey", "deriveBits",
    "importKey", "exportKey", "wrapKey", "unwrapKey"]) lengths[m] = SubtleCrypto.prototype[m].length;
  assertEquals(lengths, { encrypt: 3, decrypt: 3, sign: 3, verify: 4, digest: 2, generateKey: 3, deriveKey: 5,
    deriveBits: 2, importKey: 5, exportKey: 2, wrapKey: 4, unwrapKey: 7 });
  await rejectsWith(SubtleCrypto.prototype.digest.call({}, "SHA-256", new Uint8Array()), "TypeError", "illegal this");
});

test("getRandomValues and randomUUID", () => {
  const a = new Uint32Array(8);
  assert(crypto.getRandomValues(a) === a);
  assert(a.some((x) => x !== 0));
  assertEquals(assertThrows(() => crypto.getRandomValues(new Float32Array(4)), DOMException).name, "TypeMismatchError");
  assertEquals(assertThrows(() => crypto.getRandomValues(new DataView(new ArrayBuffer(4))), DOMException).name, "TypeMismatchError");
  assertThrows(() => crypto.getRandomValues(new ArrayBuffer(4)), TypeError);
  const e = assertThrows(() => crypto.getRandomValues(new Uint8Array(65537)));
  assertEquals(e.name, "QuotaExceededError");
  crypto.getRandomValues(new Uint8Array(65536));
  assert(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()));
  assertThrows(() => Crypto.prototype.randomUUID.call({}), TypeError);
});

test("digest: FIPS 180 and RFC 1321 vectors, any BufferSource, any case", async () => {
  const abc = te.encode("abc");
  const want = {
    "SHA-1": "a9993e364706816aba3e25717850c26c9cd0d89d",
    "SHA-256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    "SHA-384": "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
    "SHA-512": "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
  };
  for (const [alg, h] of Object.entries(want)) {
    assertEquals(hex(await subtle.digest(alg, abc)), h, alg);
    assertEquals(hex(await subtle.digest({ name: alg.toLowerCase() }, abc.buffer)), h, alg + " lower case");
  }
  assertEquals(hex(await subtle.digest("SHA-256", new DataView(te.encode("xabcx").buffer, 1, 3))), want["SHA-256"]);
  assertEquals(hex(await subtle.digest("SHA-256", new Uint8Array())), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const out = await subtle.digest("SHA-1", abc);
  assert(out instanceof ArrayBuffer, "digest resolves with an ArrayBuffer");
});

test("workers: digest accepts MD5", async () => {
  assertEquals(hex(await subtle.digest("MD5", te.encode("abc"))), "900150983cd24fb0d6963f7d28e17f72");
  assertEquals(hex(await subtle.digest("md5", new Uint8Array())), "d41d8cd98f00b204e9800998ecf8427e");
  await rejectsWith(subtle.importKey("raw", new Uint8Array(16), { name: "HMAC", hash: "MD5" }, false, ["sign"]), "NotSupportedError", "MD5 as a key hash");
});

test("digest of a large input (computed off the loop) matches its chunks", async () => {
  const big = new Uint8Array(1 << 20);
  for (let i = 0; i < big.length; i += 4096) big[i] = i >> 12;
  const p = subtle.digest("SHA-256", big);
  big.fill(0); // the input was copied before the work left the loop
  const a = hex(await p);
  const again = new Uint8Array(1 << 20);
  for (let i = 0; i < again.length; i += 4096) again[i] = i >> 12;
  assertEquals(a, hex(await subtle.digest("SHA-256", again)));
  assert(a !== hex(await subtle.digest("SHA-256", big)));
});

test("errors: argument conversion and normalization", async () => {
  await rejectsWith(subtle.digest("SHA-256"), "TypeError", "missing data");
  await rejectsWith(subtle.digest("SHA-256", "abc"), "TypeError", "string data");
  await rejectsWith(subtle.digest("SHA-257", new Uint8Array()), "NotSupportedError", "unknown hash");
  await rejectsWith(subtle.digest({}, new Uint8Array()), "TypeError", "algorithm without name");
  await rejectsWith(subtle.digest("AES-GCM", new Uint8Array()), "NotSupportedError", "not a digest algorithm");
  await rejectsWith(subtle.importKey("raw", new Uint8Array(16), { name: "HMAC" }, false, ["sign"]), "TypeError", "HMAC without hash");
  await rejectsWith(subtle.importKey("raw", new Uint8Array(16), { name: "HMAC", hash: "SHA-0" }, false, ["sign"]), "NotSupportedError", "unknown hash member");
  await rejectsWith(subtle.importKey("bogus", new Uint8Array(16), "AES-GCM", false, ["encrypt"]), "TypeError", "bad format");
  await rejectsWith(subtle.importKey("raw", { kty: "oct" }, "AES-GCM", false, ["encrypt"]), "TypeError", "JWK for raw");
  await rejectsWith(subtle.importKey("jwk", new Uint8Array(16), "AES-GCM", false, ["encrypt"]), "TypeError", "bytes for jwk");
  await rejectsWith(subtle.importKey("raw", new Uint8Array(16), "AES-GCM", false, ["encrypt", "fly"]), "TypeError", "bad usage");
  await rejectsWith(subtle.importKey("raw", new Uint8Array(16), "AES-GCM", false, "encrypt"), "TypeError", "usages not a sequence");
  await rejectsWith(subtle.importKey("raw", new Uint8Array(16), "AES-GCM", false, ["sign"]), "SyntaxError", "usage the algorithm lacks");
  await rejectsWith(subtle.importKey("raw", new Uint8Array(16), "AES-GCM", false, []), "SyntaxError", "empty usages on a secret key");
  await rejectsWith(subtle.generateKey({ name: "AES-GCM", length: 128 }, false, []), "SyntaxError", "generate with empty usages");
  await rejectsWith(subtle.generateKey({ name: "AES-GCM", length: 100 }, false, ["encrypt"]), "OperationError", "bad AES length");
  await rejectsWith(subtle.generateKey({ name: "AES-GCM", length: -1 }, false, ["encrypt"]), "TypeError", "[EnforceRange] length");
  await rejectsWith(subtle.generateKey({ name: "AES-GCM" }, false, ["encrypt"]), "TypeError", "missing length");
  await rejectsWith(subtle.generateKey("PBKDF2", false, ["deriveBits"]), "NotSupportedError", "PBKDF2 cannot be generated");
  // Any iterable works as a usages sequence; usages are deduplicated and ordered.
  const k = await subtle.importKey("raw", new Uint8Array(16), "aes-gcm", true, new Set(["decrypt", "encrypt", "decrypt"]));
  assertEquals(k.usages, ["encrypt", "decrypt"]);
  assertEquals(k.algorithm, { name: "AES-GCM", length: 128 });
  const err = await rejectsWith(subtle.encrypt({ name: "AES-CBC", iv: new Uint8Array(16) }, k, new Uint8Array(1)), "InvalidAccessError", "algorithm mismatch");
  assert(err instanceof Error || typeof DOMException === "function", "a DOMException-like error");
  await rejectsWith(subtle.sign("HMAC", k, new Uint8Array(1)), "InvalidAccessError", "key is not an HMAC key");
  await rejectsWith(subtle.encrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, {}, new Uint8Array(1)), "TypeError", "not a CryptoKey");
});

test("errors: when promises reject (as WPT's generateKey failure tests check)", async () => {
  // Normalization and parameter errors reject before microtasks queued after
  // the call; errors of the operation itself (usages) reject after them.
  const when = async (p) => {
    let later = false;
    const settled = p.then(() => "resolved", (e) => [e.name, later ? "late" : "early"]);
    Promise.resolve().then(() => { later = true; });
    return settled;
  };
  assertEquals(await when(subtle.generateKey({ name: "AES" }, true, ["encrypt"])), ["NotSupportedError", "early"]);
  assertEquals(await when(subtle.generateKey({}, true, ["encrypt"])), ["TypeError", "early"]);
  assertEquals(await when(subtle.generateKey({ name: "AES-GCM", length: 64 }, true, ["encrypt"])), ["OperationError", "early"]);
  assertEquals(await when(subtle.generateKey({ name: "ECDSA", namedCurve: "P-512" }, true, ["sign"])), ["NotSupportedError", "early"]);
  assertEquals(await when(subtle.generateKey({ name: "RSA-PSS", hash: "SHA-256", modulusLength: 1024, publicExponent: new Uint8Array([1]) }, true, ["sign"])), ["OperationError", "early"]);
  assertEquals(await when(subtle.generateKey({ name: "AES-GCM", length: 128 }, true, ["sign"])), ["SyntaxError", "late"]);
  assertEquals(await when(subtle.generateKey({ name: "AES-GCM", length: 64 }, true, ["sign"])), ["SyntaxError", "late"], "usages are checked first");
  assertEquals(await when(subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, [])), ["SyntaxError", "late"]);
  assertEquals(await when(subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["verify"])), ["SyntaxError", "late"]);
});

test("CryptoKey: attributes, cached algorithm and usages", async () => {
  const k = await subtle.generateKey({ name: "HMAC", hash: { name: "sha-512" } }, false, ["verify", "sign", "verify"]);
  assert(k instanceof CryptoKey);
  assertEquals(Object.prototype.toString.call(k), "[object CryptoKey]");
  assertEquals(k.type, "secret");
  assertEquals(k.extractable, false);
  assertEquals(k.algorithm, { name: "HMAC", hash: { name: "SHA-512" }, length: 1024 });
  assertEquals(k.usages, ["sign", "verify"]);
  assert(k.algorithm === k.algorithm, "algorithm is cached");
  assert(k.usages === k.usages, "usages is cached");
  assertEquals(Object.keys(k), []);
  await rejectsWith(subtle.exportKey("raw", k), "InvalidAccessError", "export of a non-extractable key");
  assertThrows(() => Object.getOwnPropertyDescriptor(CryptoKey.prototype, "type").get.call({}), TypeError);
});

test("HMAC: RFC 4231 test cases 1 and 2", async () => {
  const cases = [
    [new Uint8Array(20).fill(0x0b), "Hi There", {
      "SHA-256": "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
      "SHA-384": "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
      "SHA-512": "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
    }],
    [te.encode("Jefe"), "what do ya want for nothing?", {
      "SHA-256": "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
      "SHA-512": "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
    }],
  ];
  for (const [keyBytes, data, macs] of cases) {
    for (const [hash, mac] of Object.entries(macs)) {
      const k = await raw(keyBytes, { name: "HMAC", hash }, ["sign", "verify"]);
      assertEquals(k.algorithm.length, keyBytes.length * 8);
      // Sign twice: the second call reuses the key's HMAC state.
      assertEquals(hex(await subtle.sign("HMAC", k, te.encode(data))), mac, hash);
      assertEquals(hex(await subtle.sign({ name: "hmac" }, k, te.encode(data))), mac, hash + " again");
      assert(await subtle.verify("HMAC", k, unhex(mac), te.encode(data)), "verify " + hash);
      const bad = unhex(mac);
      bad[0] ^= 1;
      assert(!(await subtle.verify("HMAC", k, bad, te.encode(data))), "verify a wrong MAC");
      assert(!(await subtle.verify("HMAC", k, unhex(mac).slice(1), te.encode(data))), "verify a short MAC");
    }
  }
});

test("HMAC: generateKey lengths, JWK round trip and JWK errors", async () => {
  for (const [hash, bits, alg] of [["SHA-1", 512, "HS1"], ["SHA-256", 512, "HS256"], ["SHA-384", 1024, "HS384"], ["SHA-512", 1024, "HS512"]]) {
    const k = await subtle.generateKey({ name: "HMAC", hash }, true, ["sign", "verify"]);
    assertEquals(k.algorithm.length, bits, hash);
    const jwk = await subtle.exportKey("jwk", k);
    assertEquals([jwk.kty, jwk.alg, jwk.ext, jwk.key_ops], ["oct", alg, true, ["sign", "verify"]]);
    assertEquals(Object.keys(jwk), ["alg", "ext", "k", "key_ops", "kty"]);
    const k2 = await subtle.importKey("jwk", jwk, { name: "HMAC", hash }, true, ["sign"]);
    const data = te.encode("payload");
    assertEquals(hex(await subtle.sign("HMAC", k2, data)), hex(await subtle.sign("HMAC", k, data)));
    assertEquals(hex(await subtle.exportKey("raw", k2)), hex(await subtle.exportKey("raw", k)));
  }
  const k = await subtle.generateKey({ name: "HMAC", hash: "SHA-256", length: 256 }, true, ["sign"]);
  assertEquals((await subtle.exportKey("raw", k)).byteLength, 32);
  await rejectsWith(subtle.generateKey({ name: "HMAC", hash: "SHA-256", length: 0 }, true, ["sign"]), "OperationError", "zero length");
  const kb = "AAECAwQFBgcICQoLDA0ODw";
  const imp = (jwk, usages = ["sign"], ext = true) => subtle.importKey("jwk", jwk, { name: "HMAC", hash: "SHA-256" }, ext, usages);
  await imp({ kty: "oct", k: kb, alg: "HS256", use: "sig", key_ops: ["sign", "verify"], ext: true });
  await rejectsWith(imp({ kty: "oct", k: kb, alg: "HS512" }), "DataError", "alg for another hash");
  await rejectsWith(imp({ kty: "EC", k: kb }), "DataError", "wrong kty");
  await rejectsWith(imp({ kty: "oct" }), "DataError", "no k");
  await rejectsWith(imp({ kty: "oct", k: "!!" }), "DataError", "k not base64url");
  await rejectsWith(imp({ kty: "oct", k: kb, use: "enc" }), "DataError", "use enc");
  await rejectsWith(imp({ kty: "oct", k: kb, key_ops: ["verify"] }), "DataError", "key_ops without sign");
  await rejectsWith(imp({ kty: "oct", k: kb, key_ops: ["sign", "sign"] }), "DataError", "duplicate key_ops");
  await rejectsWith(imp({ kty: "oct", k: kb, ext: false }), "DataError", "ext false but extractable");
  await imp({ kty: "oct", k: kb, ext: false }, ["sign"], false);
  await rejectsWith(subtle.importKey("raw", new Uint8Array(0), { name: "HMAC", hash: "SHA-256" }, true, ["sign"]), "DataError", "empty key");
  await rejectsWith(subtle.importKey("raw", new Uint8Array(16), { name: "HMAC", hash: "SHA-256", length: 256 }, true, ["sign"]), "DataError", "length past the data");
  await rejectsWith(subtle.importKey("spki", new Uint8Array(16), { name: "HMAC", hash: "SHA-256" }, true, ["sign"]), "NotSupportedError", "spki HMAC");
});

test("AES-GCM: NIST GCM spec test cases 3-6", async () => {
  const key = await raw(unhex("feffe9928665731c6d6a8f9467308308"), "AES-GCM", ["encrypt", "decrypt"]);
  const p64 = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
  const p60 = p64.slice(0, 120);
  const aad = unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  const cases = [
    ["cafebabefacedbaddecaf888", p64, undefined, "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985", "4d5c2af327cd64a62cf35abd2ba6fab4"],
    ["cafebabefacedbaddecaf888", p60, aad, "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091", "5bc94fbc3221a5db94fae95ae7121a47"],
    ["cafebabefacedbad", p60, aad, "61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c742373806900e49f24b22b097544d4896b424989b5e1ebac0f07c23f4598", "3612d2e79e3b0785561be14aaca2fccb"],
    ["9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b", p60, aad, "8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca701e4a9a4fba43c90ccdcb281d48c7c6fd62875d2aca417034c34aee5", "619cc5aefffe0bfa462af43c1699d050"],
  ];
  for (const [iv, pt, additionalData, ct, tag] of cases) {
    const alg = { name: "AES-GCM", iv: unhex(iv), additionalData };
    assertEquals(hex(await subtle.encrypt(alg, key, unhex(pt))), ct + tag, "iv " + iv.length / 2);
    assertEquals(hex(await subtle.decrypt(alg, key, unhex(ct + tag))), pt);
    for (const tagLength of [32, 64, 96, 104, 112, 120]) {
      const short = { ...alg, tagLength };
      const sealed = hex(await subtle.encrypt(short, key, unhex(pt)));
      assertEquals(sealed, ct + tag.slice(0, tagLength / 4), `iv ${iv.length / 2}, tag ${tagLength}`);
      assertEquals(hex(await subtle.decrypt(short, key, unhex(sealed))), pt);
      const bad = unhex(sealed);
      bad[bad.length - 1] ^= 1;
      await rejectsWith(subtle.decrypt(short, key, bad), "OperationError", "short tag mismatch");
    }
  }
});

test("AES-GCM: errors", async () => {
  const key = await subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  const iv = new Uint8Array(12);
  const ct = await subtle.encrypt({ name: "AES-GCM", iv, additionalData: te.encode("aad") }, key, te.encode("secret"));
  assertEquals(ct.byteLength, 6 + 16);
  await rejectsWith(subtle.decrypt({ name: "AES-GCM", iv }, key, ct), "OperationError", "missing additional data");
  const tampered = new Uint8Array(ct);
  tampered[0] ^= 1;
  await rejectsWith(subtle.decrypt({ name: "AES-GCM", iv, additionalData: te.encode("aad") }, key, tampered), "OperationError", "tampered ciphertext");
  await rejectsWith(subtle.decrypt({ name: "AES-GCM", iv }, key, new Uint8Array(15)), "OperationError", "shorter than the tag");
  await rejectsWith(subtle.encrypt({ name: "AES-GCM", iv, tagLength: 100 }, key, ct), "OperationError", "tagLength 100");
  await rejectsWith(subtle.encrypt({ name: "AES-GCM", iv, tagLength: 256 }, key, ct), "TypeError", "tagLength out of octet range");
  await rejectsWith(subtle.encrypt({ name: "AES-GCM" }, key, ct), "TypeError", "no iv");
  await rejectsWith(subtle.encrypt({ name: "AES-GCM", iv: "abc" }, key, ct), "TypeError", "iv not a BufferSource");
  await rejectsWith(subtle.encrypt({ name: "AES-GCM", iv: new Uint8Array(0) }, key, ct), "OperationError", "empty iv");
  const signOnly = await subtle.importKey("raw", new Uint8Array(16), "AES-GCM", false, ["encrypt"]);
  await rejectsWith(subtle.decrypt({ name: "AES-GCM", iv }, signOnly, ct), "InvalidAccessError", "no decrypt usage");
});

test("AES-CBC: NIST SP 800-38A F.2.1 and padding", async () => {
  const key = await raw(unhex("2b7e151628aed2a6abf7158809cf4f3c"), "AES-CBC", ["encrypt", "decrypt"]);
  const iv = unhex("000102030405060708090a0b0c0d0e0f");
  const pt = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
  const ct = "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7";
  const out = hex(await subtle.encrypt({ name: "AES-CBC", iv }, key, unhex(pt)));
  assertEquals(out.length, ct.length + 32, "a full block of PKCS#7 padding");
  assertEquals(out.slice(0, ct.length), ct);
  assertEquals(hex(await subtle.decrypt({ name: "AES-CBC", iv }, key, unhex(out))), pt);
  for (let n = 0; n < 33; n++) {
    const data = new Uint8Array(n).fill(n);
    const c = await subtle.encrypt({ name: "AES-CBC", iv }, key, data);
    assertEquals(c.byteLength, (Math.floor(n / 16) + 1) * 16);
    assertEquals(hex(await subtle.decrypt({ name: "AES-CBC", iv }, key, c)), hex(data));
  }
  // Without padding the last block decrypts to garbage: OperationError.
  await rejectsWith(subtle.decrypt({ name: "AES-CBC", iv }, key, unhex(ct)), "OperationError", "bad padding");
  await rejectsWith(subtle.decrypt({ name: "AES-CBC", iv }, key, new Uint8Array(17)), "OperationError", "not whole blocks");
  await rejectsWith(subtle.encrypt({ name: "AES-CBC", iv: new Uint8Array(8) }, key, new Uint8Array(1)), "OperationError", "short iv");
});

test("AES-CTR: NIST SP 800-38A F.5.1 and counter wrap-around", async () => {
  const key = await raw(unhex("2b7e151628aed2a6abf7158809cf4f3c"), "AES-CTR", ["encrypt", "decrypt"]);
  const counter = unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
  const pt = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
  const ct = "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee";
  assertEquals(hex(await subtle.encrypt({ name: "AES-CTR", counter, length: 64 }, key, unhex(pt))), ct);
  assertEquals(hex(await subtle.decrypt({ name: "AES-CTR", counter, length: 128 }, key, unhex(ct))), pt);
  // With length 8 only the last byte counts: ...ff, then ...00 (not ...0100), then ...01.
  const block = async (last, prev = 0) => {
    const c = new Uint8Array(16);
    c[14] = prev;
    c[15] = last;
    return hex(await subtle.encrypt({ name: "AES-CTR", counter: c, length: 128 }, key, new Uint8Array(16)));
  };
  const start = new Uint8Array(16);
  start[15] = 0xff;
  const stream = hex(await subtle.encrypt({ name: "AES-CTR", counter: start, length: 8 }, key, new Uint8Array(40)));
  assertEquals(stream, ((await block(0xff)) + (await block(0)) + (await block(1))).slice(0, 80));
  const full = hex(await subtle.encrypt({ name: "AES-CTR", counter: start, length: 16 }, key, new Uint8Array(32)));
  assertEquals(full, (await block(0xff)) + (await block(0, 1)), "length 16 carries into the next byte");
  await rejectsWith(subtle.encrypt({ name: "AES-CTR", counter: start, length: 1 }, key, new Uint8Array(33)), "OperationError", "more blocks than counter values");
  await subtle.encrypt({ name: "AES-CTR", counter: start, length: 1 }, key, new Uint8Array(32));
  await rejectsWith(subtle.encrypt({ name: "AES-CTR", counter: start, length: 0 }, key, new Uint8Array(1)), "OperationError", "length 0");
  await rejectsWith(subtle.encrypt({ name: "AES-CTR", counter: start, length: 129 }, key, new Uint8Array(1)), "OperationError", "length 129");
  await rejectsWith(subtle.encrypt({ name: "AES-CTR", counter: new Uint8Array(8), length: 64 }, key, new Uint8Array(1)), "OperationError", "short counter");
  await rejectsWith(subtle.encrypt({ name: "AES-CTR", counter: start }, key, new Uint8Array(1)), "TypeError", "missing length");
});

test("AES keys: generate, raw and JWK import/export, JWK errors", async () => {
  for (const [name, usages, suffix] of [["AES-GCM", ["encrypt"], "GCM"], ["AES-CBC", ["decrypt"], "CBC"], ["AES-CTR", ["encrypt", "wrapKey"], "CTR"], ["AES-KW", ["wrapKey", "unwrapKey"], "KW"]]) {
    for (const length of [128, 192, 256]) {
      const k = await subtle.generateKey({ name, length }, true, usages);
      assertEquals([k.type, k.algorithm.name, k.algorithm.length], ["secret", name, length]);
      const jwk = await subtle.exportKey("jwk", k);
      assertEquals([jwk.kty, jwk.alg, jwk.ext], ["oct", `A${length}${suffix}`, true]);
      assertEquals(jwk.key_ops, usages);
      const back = await subtle.importKey("jwk", jwk, name, true, usages);
      assertEquals(hex(await subtle.exportKey("raw", back)), hex(await subtle.exportKey("raw", k)));
      assertEquals(back.algorithm, { name, length });
    }
    await rejectsWith(subtle.importKey("raw", new Uint8Array(20), name, true, usages), "DataError", name + " 160-bit key");
    await rejectsWith(subtle.importKey("jwk", { kty: "oct", k: "AAAAAAAAAAAAAAAAAAAAAA", alg: "A256" + suffix }, name, true, usages), "DataError", name + " alg for another length");
    await rejectsWith(subtle.importKey("pkcs8", new Uint8Array(16), name, true, usages), "NotSupportedError", name + " pkcs8");
  }
  await rejectsWith(subtle.importKey("raw", new Uint8Array(16), "AES-KW", true, ["encrypt"]), "SyntaxError", "AES-KW cannot encrypt");
  const k = await subtle.generateKey({ name: "AES-GCM", length: 128 }, true, ["encrypt"]);
  await rejectsWith(subtle.exportKey("spki", k), "NotSupportedError", "spki of a secret key");
});

test("AES-KW: RFC 3394 4.1 and 4.6, unwrap integrity", async () => {
  const cases = [
    ["000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff", "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5"],
    ["000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f", "28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21"],
  ];
  for (const [kek, keyData, wrapped] of cases) {
    const kw = await raw(unhex(kek), "AES-KW", ["wrapKey", "unwrapKey"]);
    const inner = await raw(unhex(keyData), "AES-CBC", ["encrypt"]);
    assertEquals(hex(await subtle.wrapKey("raw", inner, kw, "AES-KW")), wrapped);
    const back = await subtle.unwrapKey("raw", unhex(wrapped), kw, "AES-KW", "AES-CBC", true, ["encrypt"]);
    assertEquals(hex(await subtle.exportKey("raw", back)), keyData);
    const bad = unhex(wrapped);
    bad[5] ^= 1;
    await rejectsWith(subtle.unwrapKey("raw", bad, kw, "AES-KW", "AES-CBC", true, ["encrypt"]), "OperationError", "integrity check");
    await rejectsWith(subtle.encrypt("AES-KW", kw, unhex(keyData)), "NotSupportedError", "AES-KW has no encrypt");
  }
});

test("HKDF: RFC 5869 test cases 1 and 3; deriveKey; errors", async () => {
  const ikm = new Uint8Array(22).fill(0x0b);
  const k = await subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits", "deriveKey"]);
  assertEquals([k.type, k.extractable, k.algorithm.name], ["secret", false, "HKDF"]);
  const tc1 = { name: "HKDF", hash: "SHA-256", salt: unhex("000102030405060708090a0b0c"), info: unhex("f0f1f2f3f4f5f6f7f8f9") };
  assertEquals(hex(await subtle.deriveBits(tc1, k, 336)), "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  const tc3 = { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(), info: new Uint8Array() };
  assertEquals(hex(await subtle.deriveBits(tc3, k, 336)), "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
  const aes = await subtle.deriveKey(tc1, k, { name: "AES-GCM", length: 128 }, true, ["encrypt"]);
  assertEquals(hex(await subtle.exportKey("raw", aes)), "3cb25f25faacd57a90434f64d0362f2a");
  const mac = await subtle.deriveKey(tc1, k, { name: "HMAC", hash: "SHA-256", length: 128 }, true, ["sign"]);
  assertEquals(hex(await subtle.exportKey("raw", mac)), "3cb25f25faacd57a90434f64d0362f2a");
  await rejectsWith(subtle.importKey("raw", ikm, "HKDF", true, ["deriveBits"]), "SyntaxError", "extractable HKDF key");
  await rejectsWith(subtle.importKey("jwk", { kty: "oct", k: "AAAA" }, "HKDF", false, ["deriveBits"]), "NotSupportedError", "jwk HKDF");
  await rejectsWith(subtle.exportKey("raw", k), "NotSupportedError", "HKDF keys are not exportable");
  await rejectsWith(subtle.deriveBits(tc1, k), "OperationError", "null length");
  await rejectsWith(subtle.deriveBits(tc1, k, 12), "OperationError", "length not a multiple of 8");
  await rejectsWith(subtle.deriveBits(tc1, k, 256 * 32 * 8), "OperationError", "longer than 255 hashes");
  await rejectsWith(subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array() }, k, 128), "TypeError", "missing info");
  await rejectsWith(subtle.deriveKey(tc1, k, { name: "AES-GCM", length: 100 }, true, ["encrypt"]), "OperationError", "bad AES length");
  await rejectsWith(subtle.deriveKey(tc1, k, { name: "HKDF" }, false, ["deriveBits"]), "OperationError", "HKDF has no key length");
  await rejectsWith(subtle.deriveKey(tc1, k, "ECDSA", false, ["sign"]), "TypeError", "ECDSA import params lack namedCurve");
  await rejectsWith(subtle.deriveKey(tc1, k, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]), "NotSupportedError", "ECDSA keys are not derived");
  const bitsOnly = await subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  await rejectsWith(subtle.deriveKey(tc1, bitsOnly, { name: "AES-GCM", length: 128 }, true, ["encrypt"]), "InvalidAccessError", "no deriveKey usage");
});

test("PBKDF2: RFC 6070 and SHA-256 vectors; deriveKey; errors", async () => {
  const derive = async (password, salt, iterations, bits, hash = "SHA-1") => {
    const k = await subtle.importKey("raw", te.encode(password), "PBKDF2", false, ["deriveBits"]);
    return hex(await subtle.deriveBits({ name: "PBKDF2", salt: te.encode(salt), iterations, hash }, k, bits));
  };
  assertEquals(await derive("password", "salt", 1, 160), "0c60c80f961f0e71f3a9b524af6012062fe037a6");
  assertEquals(await derive("password", "salt", 2, 160), "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957");
  assertEquals(await derive("password", "salt", 4096, 160), "4b007901b765489abead49d926f721d065a429c1");
  assertEquals(await derive("passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 200), "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038");
  assertEquals(await derive("password", "salt", 1, 256, "SHA-256"), "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b");
  assertEquals(await derive("password", "salt", 4096, 256, "SHA-256"), "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
  const k = await subtle.importKey("raw", te.encode("password"), { name: "pbkdf2" }, false, ["deriveKey", "deriveBits"]);
  const params = { name: "PBKDF2", salt: te.encode("salt"), iterations: 1000, hash: "SHA-256" };
  const aes = await subtle.deriveKey(params, k, { name: "AES-CBC", length: 256 }, true, ["encrypt", "decrypt"]);
  assertEquals(hex(await subtle.exportKey("raw", aes)), hex(await subtle.deriveBits(params, k, 256)));
  await rejectsWith(subtle.deriveBits({ ...params, iterations: 0 }, k, 256), "OperationError", "zero iterations");
  await rejectsWith(subtle.deriveBits(params, k, null), "OperationError", "null length");
  await rejectsWith(subtle.deriveBits(params, k, 7), "OperationError", "length 7");
  await rejectsWith(subtle.deriveBits(params, k, 0), "OperationError", "length 0 (Workers; WPT pbkdf2)");
  await rejectsWith(subtle.deriveBits({ name: "PBKDF2", salt: new Uint8Array(), hash: "SHA-256" }, k, 256), "TypeError", "missing iterations");
  await rejectsWith(subtle.importKey("raw", te.encode("pw"), "PBKDF2", false, ["encrypt"]), "SyntaxError", "encrypt usage");
});

test("workers: PBKDF2 iterations are capped at 100000", async () => {
  const k = await subtle.importKey("raw", te.encode("pw"), "PBKDF2", false, ["deriveBits"]);
  const e = await rejectsWith(subtle.deriveBits({ name: "PBKDF2", salt: new Uint8Array(8), iterations: 100001, hash: "SHA-256" }, k, 256), "NotSupportedError");
  assertEquals(e.message, "Pbkdf2 failed: iteration counts above 100000 are not supported (requested 100001).");
});

test("wrapKey/unwrapKey with encrypt-based algorithms and JWK", async () => {
  const kek = await subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["wrapKey", "unwrapKey"]);
  const hmac = await subtle.generateKey({ name: "HMAC", hash: "SHA-384" }, true, ["sign", "verify"]);
  const iv = new Uint8Array(12).fill(7);
  const wrapped = await subtle.wrapKey("jwk", hmac, kek, { name: "AES-GCM", iv });
  const back = await subtle.unwrapKey("jwk", wrapped, kek, { name: "AES-GCM", iv }, { name: "HMAC", hash: "SHA-384" }, true, ["sign"]);
  assertEquals(back.algorithm, { name: "HMAC", hash: { name: "SHA-384" }, length: 1024 });
  assertEquals(back.usages, ["sign"]);
  const data = te.encode("x");
  assertEquals(hex(await subtle.sign("HMAC", back, data)), hex(await subtle.sign("HMAC", hmac, data)));
  // The wrapped JWK is JSON of the exported key.
  const plainKek = await subtle.importKey("raw", new Uint8Array(16), "AES-CBC", false, ["wrapKey", "unwrapKey", "decrypt"]);
  const civ = new Uint8Array(16);
  const w2 = await subtle.wrapKey("jwk", hmac, plainKek, { name: "AES-CBC", iv: civ });
  const jwk = JSON.parse(new TextDecoder().decode(await subtle.decrypt({ name: "AES-CBC", iv: civ }, plainKek, w2)));
  assertEquals(Object.keys(jwk), ["alg", "ext", "k", "key_ops", "kty"]);
  assertEquals(jwk.alg, "HS384");
  await rejectsWith(subtle.unwrapKey("raw", w2, plainKek, { name: "AES-CBC", iv: civ }, "AES-GCM", true, ["encrypt"]), "DataError", "a JWK's bytes are no raw AES key");
  const notJSON = await subtle.wrapKey("raw", hmac, plainKek, { name: "AES-CBC", iv: civ });
  await rejectsWith(subtle.unwrapKey("jwk", notJSON, plainKek, { name: "AES-CBC", iv: civ }, { name: "HMAC", hash: "SHA-384" }, true, ["sign"]), "DataError", "unwrapped bytes are not JSON");
  const fixed = await subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  await rejectsWith(subtle.wrapKey("raw", fixed, kek, { name: "AES-GCM", iv }), "InvalidAccessError", "non-extractable key");
  const noWrap = await subtle.generateKey({ name: "AES-GCM", length: 128 }, false, ["encrypt"]);
  await rejectsWith(subtle.wrapKey("raw", hmac, noWrap, { name: "AES-GCM", iv }), "InvalidAccessError", "no wrapKey usage");
  const hkdf = await subtle.importKey("raw", new Uint8Array(16), "HKDF", false, ["deriveBits"]);
  await rejectsWith(subtle.wrapKey("raw", hkdf, kek, { name: "AES-GCM", iv }), "NotSupportedError", "HKDF keys cannot be exported");
  await rejectsWith(subtle.wrapKey("raw", hmac, kek, { name: "HMAC" }), "NotSupportedError", "HMAC cannot wrap");
});

test("workers: timingSafeEqual", () => {
  assertEquals(subtle.timingSafeEqual(te.encode("abc"), te.encode("abc")), true);
  assertEquals(subtle.timingSafeEqual(te.encode("abc").buffer, new Uint8Array([97, 98, 100])), false);
  assertThrows(() => subtle.timingSafeEqual(te.encode("abc"), te.encode("ab")), TypeError);
  assertThrows(() => subtle.timingSafeEqual("abc", "abc"), TypeError);
});

test("crypto.DigestStream hashes what is written and piped", async () => {
  const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
  const ds = new crypto.DigestStream("SHA-256");
  assert(ds instanceof WritableStream);
  const w = ds.getWriter();
  await w.write(new TextEncoder().encode("ab"));
  await w.write(new TextEncoder().encode("c").buffer);
  await w.close();
  assertEquals(hex(await ds.digest), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"); // SHA-256("abc")
  const piped = new crypto.DigestStream({ name: "SHA-1" });
  await new Response("abc").body.pipeTo(piped);
  assertEquals(hex(await piped.digest), "a9993e364706816aba3e25717850c26c9cd0d89d");
  const md5 = new crypto.DigestStream("MD5");
  md5.getWriter().close();
  assertEquals(hex(await md5.digest), "d41d8cd98f00b204e9800998ecf8427e");
  assertThrows(() => new crypto.DigestStream("SHA-3"), DOMException);
  const aborted = new crypto.DigestStream("SHA-256");
  aborted.getWriter().abort(new Error("stopped"));
  await assertRejects(aborted.digest, Error, "stopped");
  const bad = new crypto.DigestStream("SHA-256");
  await assertRejects(bad.getWriter().write("not bytes"), TypeError);
});
