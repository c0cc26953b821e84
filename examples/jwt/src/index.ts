// A Worker that verifies RS256 and ES256 JSON Web Tokens against public keys
// from its vars, and issues HS256 tokens signed with a secret from .dev.vars,
// using only crypto.subtle (no npm dependencies).
//
//   POST /verify        body: a token (or "Authorization: Bearer <token>")
//                       → 200 {"alg", "claims"} or 401 {"error"}
//   GET  /token?sub=x   → 200 {"token"}: an HS256 token for x, valid 1 hour

interface Env {
  ISSUER: string;
  RS256_PUBLIC_JWK: JsonWebKey;
  ES256_PUBLIC_JWK: JsonWebKey;
  HS256_SECRET: string;
}

type Alg = "RS256" | "ES256" | "HS256";

interface Claims {
  sub?: string;
  iss?: string;
  iat?: number;
  exp?: number;
  nbf?: number;
  [name: string]: unknown;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// Signature parameters per JWS "alg" (RFC 7518 section 3).
const params: Record<Alg, AlgorithmIdentifier | EcdsaParams> = {
  RS256: "RSASSA-PKCS1-v1_5",
  ES256: { name: "ECDSA", hash: "SHA-256" },
  HS256: "HMAC",
};

class Unauthorized extends Error {}

function base64url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function unbase64url(s: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new Unauthorized("malformed token");
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

// Keys are imported once per runtime: importKey parses and validates them,
// which costs more than a verification.
let keys: Promise<Record<Alg, CryptoKey>> | undefined;
let keysFor: Env | undefined;

function loadKeys(env: Env): Promise<Record<Alg, CryptoKey>> {
  if (!keys || keysFor !== env) {
    keysFor = env;
    keys = (async () => ({
      RS256: await crypto.subtle.importKey("jwk", env.RS256_PUBLIC_JWK,
        { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]),
      ES256: await crypto.subtle.importKey("jwk", env.ES256_PUBLIC_JWK,
        { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]),
      HS256: await crypto.subtle.importKey("raw", encoder.encode(env.HS256_SECRET),
        { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]),
    }))();
  }
  return keys;
}

async function verify(token: string, env: Env): Promise<{ alg: Alg; claims: Claims }> {
  const parts = token.split(".");
  if (parts.length !== 3) throw new Unauthorized("malformed token");
  let header: { alg?: string };
  let claims: Claims;
  try {
    header = JSON.parse(decoder.decode(unbase64url(parts[0])));
    claims = JSON.parse(decoder.decode(unbase64url(parts[1])));
  } catch {
    throw new Unauthorized("malformed token");
  }
  const alg = header.alg as Alg;
  if (!(alg in params)) throw new Unauthorized(`unsupported alg ${JSON.stringify(header.alg)}`);
  const key = (await loadKeys(env))[alg];
  const signed = encoder.encode(parts[0] + "." + parts[1]);
  if (!(await crypto.subtle.verify(params[alg], key, unbase64url(parts[2]), signed))) {
    throw new Unauthorized("bad signature");
  }
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.exp === "number" && now >= claims.exp) throw new Unauthorized("token expired");
  if (typeof claims.nbf === "number" && now < claims.nbf) throw new Unauthorized("token not yet valid");
  return { alg, claims };
}

async function issue(sub: string, env: Env): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  const header = base64url(encoder.encode(JSON.stringify({ alg: "HS256", typ: "JWT" })));
  const claims = base64url(encoder.encode(JSON.stringify({ sub, iss: env.ISSUER, iat, exp: iat + 3600 })));
  const key = (await loadKeys(env)).HS256;
  const sig = await crypto.subtle.sign("HMAC", key, encoder.encode(header + "." + claims));
  return `${header}.${claims}.${base64url(new Uint8Array(sig))}`;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/token" && request.method === "GET") {
      const sub = url.searchParams.get("sub");
      if (!sub) return json({ error: "missing ?sub=" }, 400);
      return json({ token: await issue(sub, env) });
    }
    if (url.pathname === "/verify" && request.method === "POST") {
      const auth = request.headers.get("authorization");
      const token = auth?.startsWith("Bearer ") ? auth.slice(7) : (await request.text()).trim();
      try {
        return json(await verify(token, env));
      } catch (e) {
        if (e instanceof Unauthorized) {
          return json({ error: e.message }, 401);
        }
        throw e;
      }
    }
    return json({ error: "not found" }, 404);
  },
};
