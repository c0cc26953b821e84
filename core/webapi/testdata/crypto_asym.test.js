// Web Crypto with RSA, ECDSA, ECDH, Ed25519 and X25519. The RSA and EC keys,
// signatures and ciphertexts below were made with Python's cryptography
// package (OpenSSL), an implementation independent of Go's; the Ed25519 and
// X25519 vectors are RFC 8032's and RFC 7748's.

const RSA_PKCS8 = 'MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDBAW4JbE4ZWZe4JXjFmdvOqL781fEejF2XOvFUK5yWNG8QFzn5Kr8rOEs/oL+FxYG7YjBIGZ1pMRxizosSqbJr3vOnW64tiaX15o71btApAf3K3sfP76QgK+eF2RRwyfZF54lzEWo5rNDHesJHb1bvlsJ0ewMKPcm1UfKh8Od1f8NBkZ7aoihPe4pGQvF8yXuHwMwV96t3Ml7XOoyLIKTjcABnlCcb2OO+41KWajWgJSv6Io5O7/tHzY4U44Xe1/oS/myIajHOhyB5sqqV6iFZ9C0nYgatpyP5hJaqTPltwfASXwAuTrdboXBD3XpwgiR4904qPkqW98aKhoN8yZhfAgMBAAECggEAE7Z3VwO2hQT557dUEC1NyQbCiFplnS7NpFOYhctKhquQ/b4RkBnF8BPOLmUsX+0IpMCQ7obx5TuR4E7432LGXsQlHgkmz280AdtBlgnHva3UDnNrScP6fxqyM/aJuEINzZ1UvumexYiZbmENv3QSF2Mji01rxbutLWrS8v1YS/ofNbm8xL0Wml267AlwoOkmktrFjpHvA4/HdUS3VUXhe/46qBIUmNwTfCwVaC01ojEv0WlVSDb4A8xy4FajysoUnJOxtN7ZFyv5IotE7+FP2lQUIhgz5u3z7b7ZAbMYFBpLtOKsqw5T+x9kNjUiRPsSAmPc0HeH6F/FEc3emsRCaQKBgQD8e2NRy5oVEG2+jCM7Q2aWsKNYCuA3iCQBdQnYCvmTqEuoCAx7Bb/IIiWh8PB/xG7U761//htR5/NLx8gY0LjGqZYWQ3opi0s30izrXu2GoicvpKGzLIxxGrFQ24WkdL04rhsn3pw0Vx/mRiOBhtLjuIHzZYQ4GS4bOia4XtahWwKBgQDDseMxuIOK9ivlfNdj7sqSE+LVU2g3ieFWN5dexKq6n5jqvQyf+kfoHLM6GiM+1jzCJ79J5LcGj6drDZm7WhtmM5xJ2zT6GTNA8UtnnXLXy+HNr1uTcfB0vxPgzpVkbdFCLR0ep4VeT4DP9O367DVhABPirdFMVZd8xfElvw4wTQKBgQCB2kvog5iJgNuQhq6QCkg29D3uSBmtNd2eyjz32h0mLgZLM2iH1RsfqUBFm491huehqGtJSr1uUKc2sFdfO+nscsf4R1gLCdLzsKrdmwL6nWcd/8QSTLUmbp4Hgf+n50pyXkklJj6cRLrpSeV09ox8Bib/sZRg7cJiynOjm1MzxQKBgQCyUDC4aWxS/qRY4zxP7pHeMQiLYQihMp2EtfrTe1gl3K61lbUfQCqtMRmOY6qh4wxRzW3bou+ypsriHO5rbFty8KwEEB1hlfzBvBv9OdYfE8OYa6SB4Vw8xK8UNKijbf0y03CpMfOwT7kLxB3keb7Zt/xmnAMODx+Nrb9hqYkAMQKBgBpMt/LQE8j+/EFol5Pov6yGMxy2UGx1u7+lqVBKcLdw3NCrbiYJ4lkajSlqEht+Ya/Lb79d273fmWM1iXufeo7XycCJEU8NKoA2w6OaP/zyKH2ANPerEpvdjt79iwh449adVEq8YHObHU/fAg/hAV4uwFh40Ojxk1QKLZhYxgWg';
const RSA_SPKI = 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwQFuCWxOGVmXuCV4xZnbzqi+/NXxHoxdlzrxVCucljRvEBc5+Sq/KzhLP6C/hcWBu2IwSBmdaTEcYs6LEqmya97zp1uuLYml9eaO9W7QKQH9yt7Hz++kICvnhdkUcMn2ReeJcxFqOazQx3rCR29W75bCdHsDCj3JtVHyofDndX/DQZGe2qIoT3uKRkLxfMl7h8DMFferdzJe1zqMiyCk43AAZ5QnG9jjvuNSlmo1oCUr+iKOTu/7R82OFOOF3tf6Ev5siGoxzocgebKqleohWfQtJ2IGracj+YSWqkz5bcHwEl8ALk63W6FwQ916cIIkePdOKj5KlvfGioaDfMmYXwIDAQAB';
const RSA_PKCS1_SHA256_SIG = '412a2efcd45ad73b5584b3bc793a2123aaa1207e28b41bb508c54f41a7c1585a50e4381cabae8f302b6eeaca811185279cc5f6ec20ba3dca970ed70d01fe7c90756cf0209b1b1fd1359926d9c77c8909ddf1438130e87ef497b9adfe04033986ebe374a53211576ec2db71544a935a5929261d87acd8b733754e76d3bba3fe28359ef375c0a47279fde783dbd828f340ae65707d861e6b105d34c5262934315fb840742c857ac52aa5c0cf3404f1b724c45b008da81e536670fb344affd5bbbaaa5951a056fde73c3cbcd5fc394a12583f83789baa2fde650e890787ba42d048d58e8ec9292b1f9b9a3c73f3bbbe3fb94d97af31f93b4f9666d57c18192617d0';
const RSA_PSS0_SHA256_SIG = 'ad77569d7e142e1871d1f56922a66e47049c5b6e0a9b503d7804f525dc6b4c1165b76cc6c21d4e8353dc77e518d36d82cd403797c0dd8aac446c7e37f6a718ff8f3fdbcab34e707f72516cb6ce33c438a59230d8c8c5b11ebffaeb8658e7464606a7b71c5c56d80fd9019990ac2f6a78ffc40f1bee696832ef851a626e7110c276323c18864da01d4de025e8bbaf332451edda5ad9ab84b5291f0be106c2bc7943d8a08300a80349c9d36881cfdc93a716735d6b3c5616d95cd446bb7530f8327d99742eccf86d9d6997cbd194d65dcca6eacda1dc5cd5a77888c72fb2d70cddc0efc03d618c4efb3029cae1cc1952126b80c9c37effd65d701861df02486e4d';
const RSA_PSS32_SHA256_SIG = '77b10fb127b532a6056c5283cf9b55eac8f86516020885bd4f9a251aadacd79565ed9962a9185822d519363ff031fcf3b822b462d9ec2c3ea2977001708a340087c34f9bb39295793a59cb17d86e099584d8b87064ae93d601f8215e904f21b9bb06489c686a69deb39b0a2fc7341d3f33adda69e98cdab49437eae0dd3161946f1ebee393fdbc23d0c36230053767522060cb10f03c5d6a27a4d90f9978e28c8fe7d43760070ab35ac7c2be774e3454ab0a981584da26667febb1c84377cedf54501d0111f4ff7c12b9bad5407c0e8534617e248c8cad0c744934d796ae556fdc685696a1c50124eb6d41bd08755b925250c5cc3f21e3698026a0443d234cb9';
const RSA_PSS20_SHA1_SIG = 'a56ea02aa96c474a4f400593fad1e728d0b94cbc0f3d0db16554150687ff098545e2d65cf085ab7d72a1b26c6d02926eafedc00bb692091591ef6616f148d8f7d2c52d50bf297222f48660e685425b36d1ac7fe8ccd4ab9b86ac471af7c5a46ac6e61b699ad5dd061f676bfa6cbf2589936cf3787772736cc79003d79de2ca11d6483ffd2f2dbb8cc7bf88defb2f58c5e9d33d09d57d5d7d3a47776dbe8356749aaca05011c7db508d52c6669c92152ed2dae3cc6f2aa1d5b0c43aa0684df2af460310cbd7adf027407d34d31e482ca5fa8f70788f49b4581f39589166325079e320c843def743ae5932810db679cc6c896e2edbb45a4212db58445bc8b716ea';
const RSA_OAEP_SHA256_CT = '424514bc2adc7af3794069644a024bf0f53b995ec8796267f310fdeb63c63cb5516159335409696bfdddc89344bcd43b41bac1aa92af5847c155b3378fe9877369e301079a69be45a37d822600957b21d16415f6a9426ce889806c59bba3facf8aaf9f3911799de254fb1776e086372a32838af4204057cd5ace8179a608e243ad3346dda3e8c1895f6fd44446e201a3bcc7197b5f9e10b07b0caec529aa445a38a3d5647ab7bf5ed52df87ee115f2e766eff9b9609d23ada33ef7a82ff7e46dd6e3da713de3573f57d4860b8c3d2f53477b02801737ae2db0fdbf9a2ac1be305cde0448b8c5e4c4620bae5a1fd341f17951790ea11d33165eb7346b32035560';
const EC_P256_PKCS8 = 'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgY4uaLFyByA+9JB0PEpdDEWNxgsEyjf9yk4RF0NA/Y8ehRANCAAS4uYa5n9EtQRMzL4EkYpeBC8HwsBRN9p4UAIhIclBPnG1/euhPYYwmBOKEip3DJQ6TXAuA3slRuyhKEqbcU9It';
const EC_P256_SPKI = 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEuLmGuZ/RLUETMy+BJGKXgQvB8LAUTfaeFACISHJQT5xtf3roT2GMJgTihIqdwyUOk1wLgN7JUbsoShKm3FPSLQ==';
const EC_P256_RAW = '04b8b986b99fd12d4113332f81246297810bc1f0b0144df69e1400884872504f9c6d7f7ae84f618c2604e2848a9dc3250e935c0b80dec951bb284a12a6dc53d22d';
const EC_P256_COMPRESSED = '03b8b986b99fd12d4113332f81246297810bc1f0b0144df69e1400884872504f9c';
const EC_P256_SIG = '1da8e026ac6cf58c3049827fd6ea4dc1f785feb73529ca8ba6dba051869fc8ed0fb0603b47a970134c756537270a68f838a24641e2f52996f0faf88c34d4b11f';
const EC_P384_PKCS8 = 'MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDAMHsS9hixDx9kufb9VJ3yXRc+bam1y7E9ZCVGkcfYhQvv9zRfnNml11v0YCwFNhlChZANiAAQda8Pt3k32XSNmFV0JBO+VJDWpgU/XbZ9thJxklbMCK5Pg3s26MAMKl6jYPkJ7H8jjwq3fcFpcfe3bEx0EJi/qOjNUBZCIAAoZ7TArXNLA6o5GlGXabxKhlaEdi/ubMOw=';
const EC_P384_SPKI = 'MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEHWvD7d5N9l0jZhVdCQTvlSQ1qYFP122fbYScZJWzAiuT4N7NujADCpeo2D5Cex/I48Kt33BaXH3t2xMdBCYv6jozVAWQiAAKGe0wK1zSwOqORpRl2m8SoZWhHYv7mzDs';
const EC_P384_RAW = '041d6bc3edde4df65d2366155d0904ef952435a9814fd76d9f6d849c6495b3022b93e0decdba30030a97a8d83e427b1fc8e3c2addf705a5c7deddb131d04262fea3a3354059088000a19ed302b5cd2c0ea8e469465da6f12a195a11d8bfb9b30ec';
const EC_P384_COMPRESSED = '021d6bc3edde4df65d2366155d0904ef952435a9814fd76d9f6d849c6495b3022b93e0decdba30030a97a8d83e427b1fc8';
const EC_P384_SIG = '07aa946bdfd285d4a9570712a1c20b0b9e42b89ac3a6315ef00f2d066c5b0218000caf93462f13747f980fe8f7803ce25ed612530f972fa6fddc2a1ede1d68c4e2be39bc132ef5efd40b0077f410cdb5d0ba59accac219780594caf03facf820';
const EC_P521_PKCS8 = 'MIHuAgEAMBAGByqGSM49AgEGBSuBBAAjBIHWMIHTAgEBBEIAeADgxDyqGjBB9zGrb+sHHQ+C//fvS0XglFQgNyMBHPzpvNyCFJwroO1CsU098Gs1XOLc5LSEvk1ieLYO7J9D3ZWhgYkDgYYABAAgE16ZA1MJRbgKgLTuNFeerksW799Mha85t/7647LubZN7K1pJllK/QoeLY51bp7kuJE9mxIzpUsf7Ru9gUCxcUgDU48EdCrulJSdjaHl2atfC+oGxKoA39glcDKR1VC07bbMGL+he5MoxhFYk3uORSLJ+FtAh6AJ0ceItI574WBEWuQ==';
const EC_P521_SPKI = 'MIGbMBAGByqGSM49AgEGBSuBBAAjA4GGAAQAIBNemQNTCUW4CoC07jRXnq5LFu/fTIWvObf++uOy7m2TeytaSZZSv0KHi2OdW6e5LiRPZsSM6VLH+0bvYFAsXFIA1OPBHQq7pSUnY2h5dmrXwvqBsSqAN/YJXAykdVQtO22zBi/oXuTKMYRWJN7jkUiyfhbQIegCdHHiLSOe+FgRFrk=';
const EC_P521_RAW = '040020135e9903530945b80a80b4ee34579eae4b16efdf4c85af39b7fefae3b2ee6d937b2b5a499652bf42878b639d5ba7b92e244f66c48ce952c7fb46ef60502c5c5200d4e3c11d0abba52527636879766ad7c2fa81b12a8037f6095c0ca475542d3b6db3062fe85ee4ca31845624dee39148b27e16d021e8027471e22d239ef8581116b9';
const EC_P521_COMPRESSED = '030020135e9903530945b80a80b4ee34579eae4b16efdf4c85af39b7fefae3b2ee6d937b2b5a499652bf42878b639d5ba7b92e244f66c48ce952c7fb46ef60502c5c52';
const EC_P521_SIG = '0133e2ad703f4c0a91e3641695d4e60607edd6657342f79577aededa1b93a1aee2d974f5fee835be03c4f376f449a13b7aa4bea2ba14b72c6aafbf6cf38d202dd54f00a0984fd0d77b1c1948c14299583808a8b61411b26cdbd016574eb9ca21ec32f1e3680aa8a77683d5cca2a0b2673194c6fb13a6d45a5188a6c869e4d55b9868555a';
const ECDH_A_PKCS8 = 'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgt36WxS7qAusN2ak1XDIQoCGe5bmug0JIfIwbRI/8P76hRANCAASc2MDZ78C41RsG0hfUnJWSn1GKvwiMczkeZlhYD5+3G0sQnBJVpTTJc6CUWfvrnoKtPTlb0wD3O2AuDvU1TUVe';
const ECDH_B_RAW = '0419a1efb0dbda04b26cc76383e1f676a2c9b239153d3130362050e2bf3a99f70184fbeed59ebf9cbca6bffe3deaae55e834f185b6bdec8fbb0631955861df9cb5';
const ECDH_SHARED = '2de77d5c48a536b17ea908c99073d334013463ac7fcaf43d7c0f9913781c2ec1';

const subtle = crypto.subtle;
const te = new TextEncoder();
const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
const unhex = (s) => new Uint8Array(s.match(/../g).map((h) => parseInt(h, 16)));
const unb64 = (s) => {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
};
const b64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const rejectsWith = async (p, name, what) => {
  try {
    await p;
  } catch (e) {
    assertEquals(e && e.name, name, what || "error name");
    return e;
  }
  throw new Error(`${what || "operation"}: expected a ${name} rejection`);
};
const MSG = te.encode("Ferry signs this message.");

test("RSASSA-PKCS1-v1_5: a known signature, byte for byte", async () => {
  const alg = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  const priv = await subtle.importKey("pkcs8", unb64(RSA_PKCS8), alg, true, ["sign"]);
  const pub = await subtle.importKey("spki", unb64(RSA_SPKI), alg, true, ["verify"]);
  assertEquals([priv.type, pub.type], ["private", "public"]);
  assertEquals(pub.algorithm.modulusLength, 2048);
  assertEquals([...pub.algorithm.publicExponent], [1, 0, 1]);
  assert(pub.algorithm.publicExponent instanceof Uint8Array);
  assertEquals(pub.algorithm.hash, { name: "SHA-256" });
  assertEquals(hex(await subtle.sign("RSASSA-PKCS1-v1_5", priv, MSG)), RSA_PKCS1_SHA256_SIG);
  assert(await subtle.verify("RSASSA-PKCS1-v1_5", pub, unhex(RSA_PKCS1_SHA256_SIG), MSG));
  assert(!(await subtle.verify("RSASSA-PKCS1-v1_5", pub, unhex(RSA_PKCS1_SHA256_SIG), te.encode("other"))));
  await rejectsWith(subtle.sign("RSASSA-PKCS1-v1_5", pub, MSG), "InvalidAccessError", "sign with a public key");
  await rejectsWith(subtle.importKey("pkcs8", unb64(RSA_PKCS8), alg, true, ["verify"]), "SyntaxError", "verify on a private key");
  await rejectsWith(subtle.importKey("spki", unb64(RSA_PKCS8), alg, true, ["verify"]), "DataError", "pkcs8 bytes as spki");
  await rejectsWith(subtle.importKey("spki", unb64(EC_P256_SPKI), alg, true, ["verify"]), "DataError", "an EC key as RSA");
  await rejectsWith(subtle.importKey("raw", unb64(RSA_SPKI), alg, true, ["verify"]), "NotSupportedError", "raw RSA");
});

test("RSA-PSS: empty salt is deterministic; known salted signatures verify", async () => {
  const priv = await subtle.importKey("pkcs8", unb64(RSA_PKCS8), { name: "RSA-PSS", hash: "SHA-256" }, false, ["sign"]);
  const pub = await subtle.importKey("spki", unb64(RSA_SPKI), { name: "RSA-PSS", hash: "SHA-256" }, false, ["verify"]);
  assertEquals(hex(await subtle.sign({ name: "RSA-PSS", saltLength: 0 }, priv, MSG)), RSA_PSS0_SHA256_SIG);
  assert(await subtle.verify({ name: "RSA-PSS", saltLength: 0 }, pub, unhex(RSA_PSS0_SHA256_SIG), MSG));
  assert(!(await subtle.verify({ name: "RSA-PSS", saltLength: 32 }, pub, unhex(RSA_PSS0_SHA256_SIG), MSG)), "salt length must match");
  assert(await subtle.verify({ name: "RSA-PSS", saltLength: 32 }, pub, unhex(RSA_PSS32_SHA256_SIG), MSG));
  assert(!(await subtle.verify({ name: "RSA-PSS", saltLength: 0 }, pub, unhex(RSA_PSS32_SHA256_SIG), MSG)), "an empty salt is not any salt");
  assert(!(await subtle.verify({ name: "RSA-PSS", saltLength: 20 }, pub, unhex(RSA_PSS32_SHA256_SIG), MSG)), "salt length 20 is not 32");
  assert(!(await subtle.verify({ name: "RSA-PSS", saltLength: 32 }, pub, unhex(RSA_PSS32_SHA256_SIG), te.encode("x"))));
  const s1 = await subtle.sign({ name: "RSA-PSS", saltLength: 32 }, priv, MSG);
  const s2 = await subtle.sign({ name: "RSA-PSS", saltLength: 32 }, priv, MSG);
  assert(hex(s1) !== hex(s2), "salted signatures differ");
  assert(await subtle.verify({ name: "RSA-PSS", saltLength: 32 }, pub, s1, MSG));
  const pub1 = await subtle.importKey("spki", unb64(RSA_SPKI), { name: "RSA-PSS", hash: "SHA-1" }, false, ["verify"]);
  assert(await subtle.verify({ name: "RSA-PSS", saltLength: 20 }, pub1, unhex(RSA_PSS20_SHA1_SIG), MSG));
  await rejectsWith(subtle.sign({ name: "RSA-PSS", saltLength: 1000 }, priv, MSG), "OperationError", "salt longer than the key allows");
  await rejectsWith(subtle.sign({ name: "RSA-PSS" }, priv, MSG), "TypeError", "saltLength is required");
  await rejectsWith(subtle.sign({ name: "RSASSA-PKCS1-v1_5" }, priv, MSG), "InvalidAccessError", "key is for RSA-PSS");
});

test("RSA-OAEP: decrypts a known ciphertext with its label; round trips", async () => {
  const alg = { name: "RSA-OAEP", hash: "SHA-256" };
  const priv = await subtle.importKey("pkcs8", unb64(RSA_PKCS8), alg, false, ["decrypt", "unwrapKey"]);
  const pub = await subtle.importKey("spki", unb64(RSA_SPKI), alg, false, ["encrypt", "wrapKey"]);
  const label = te.encode("label");
  assertEquals(hex(await subtle.decrypt({ name: "RSA-OAEP", label }, priv, unhex(RSA_OAEP_SHA256_CT))), hex(MSG));
  await rejectsWith(subtle.decrypt({ name: "RSA-OAEP" }, priv, unhex(RSA_OAEP_SHA256_CT)), "OperationError", "wrong label");
  const ct = await subtle.encrypt({ name: "RSA-OAEP" }, pub, MSG);
  assertEquals(ct.byteLength, 256);
  assertEquals(hex(await subtle.decrypt("RSA-OAEP", priv, ct)), hex(MSG));
  await rejectsWith(subtle.encrypt("RSA-OAEP", pub, new Uint8Array(256)), "OperationError", "message too long");
  await rejectsWith(subtle.decrypt("RSA-OAEP", pub, ct), "InvalidAccessError", "decrypt with a public key");
  // RSA-OAEP wraps an AES key and unwraps it.
  const aes = await subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt"]);
  const wrapped = await subtle.wrapKey("raw", aes, pub, { name: "RSA-OAEP" });
  const back = await subtle.unwrapKey("raw", wrapped, priv, "RSA-OAEP", "AES-GCM", true, ["encrypt"]);
  assertEquals(hex(await subtle.exportKey("raw", back)), hex(await subtle.exportKey("raw", aes)));
});

test("RSA: JWK round trips for every algorithm; JWK errors", async () => {
  for (const [name, hash, alg, pubUse, privUse] of [
    ["RSASSA-PKCS1-v1_5", "SHA-256", "RS256", ["verify"], ["sign"]],
    ["RSASSA-PKCS1-v1_5", "SHA-1", "RS1", ["verify"], ["sign"]],
    ["RSA-PSS", "SHA-384", "PS384", ["verify"], ["sign"]],
    ["RSA-OAEP", "SHA-1", "RSA-OAEP", ["encrypt"], ["decrypt"]],
    ["RSA-OAEP", "SHA-512", "RSA-OAEP-512", ["encrypt", "wrapKey"], ["unwrapKey"]],
  ]) {
    const priv = await subtle.importKey("pkcs8", unb64(RSA_PKCS8), { name, hash }, true, privUse);
    const jwk = await subtle.exportKey("jwk", priv);
    assertEquals([jwk.kty, jwk.alg, jwk.e, jwk.ext], ["RSA", alg, "AQAB", true]);
    assertEquals(Object.keys(jwk), ["alg", "d", "dp", "dq", "e", "ext", "key_ops", "kty", "n", "p", "q", "qi"]);
    const priv2 = await subtle.importKey("jwk", jwk, { name, hash }, true, privUse);
    assertEquals(hex(await subtle.exportKey("pkcs8", priv2)), hex(await subtle.exportKey("pkcs8", priv)));
    const pub = await subtle.importKey("jwk", { kty: "RSA", n: jwk.n, e: jwk.e, alg }, { name, hash }, true, pubUse);
    assertEquals(hex(await subtle.exportKey("spki", pub)), hex(unb64(RSA_SPKI)));
    const pubJwk = await subtle.exportKey("jwk", pub);
    assertEquals([pubJwk.d, pubJwk.n, pubJwk.key_ops], [undefined, jwk.n, pubUse]);
    await rejectsWith(subtle.exportKey("pkcs8", pub), "InvalidAccessError", "pkcs8 of a public key");
    await rejectsWith(subtle.exportKey("spki", priv), "InvalidAccessError", "spki of a private key");
    await rejectsWith(subtle.importKey("jwk", { ...jwk, alg: "RS512" === alg ? "RS256" : "RS512" }, { name, hash }, true, privUse), "DataError", "alg mismatch " + alg);
  }
  const jwk = await subtle.exportKey("jwk", await subtle.importKey("pkcs8", unb64(RSA_PKCS8), { name: "RSA-PSS", hash: "SHA-256" }, true, ["sign"]));
  const alg = { name: "RSA-PSS", hash: "SHA-256" };
  await rejectsWith(subtle.importKey("jwk", { ...jwk, kty: "EC" }, alg, true, ["sign"]), "DataError", "kty EC");
  await rejectsWith(subtle.importKey("jwk", { ...jwk, use: "enc" }, alg, true, ["sign"]), "DataError", "use enc");
  await rejectsWith(subtle.importKey("jwk", { ...jwk, dp: jwk.dq }, alg, true, ["sign"]), "DataError", "inconsistent CRT value");
  await rejectsWith(subtle.importKey("jwk", { ...jwk, q: undefined }, alg, true, ["sign"]), "DataError", "missing q");
  await rejectsWith(subtle.importKey("jwk", { ...jwk, n: "!" }, alg, true, ["sign"]), "DataError", "bad base64url");
  await rejectsWith(subtle.importKey("jwk", jwk, alg, true, ["verify"]), "SyntaxError", "verify usage on a private JWK");
  const { d, p, q, dp, dq, qi, ...pubOnly } = jwk;
  await rejectsWith(subtle.importKey("jwk", pubOnly, alg, true, ["sign"]), "SyntaxError", "sign usage on a public JWK");
});

test("RSA: generateKey with public exponent 3 (as Workers allow)", async () => {
  for (const name of ["RSASSA-PKCS1-v1_5", "RSA-PSS", "RSA-OAEP"]) {
    const usages = name === "RSA-OAEP" ? ["encrypt", "decrypt"] : ["sign", "verify"];
    const { publicKey, privateKey } = await subtle.generateKey(
      { name, modulusLength: 1024, publicExponent: new Uint8Array([3]), hash: "SHA-256" }, true, usages);
    assertEquals([...publicKey.algorithm.publicExponent], [3]);
    assertEquals((await subtle.exportKey("jwk", publicKey)).e, "Aw");
    if (name === "RSA-OAEP") {
      const ct = await subtle.encrypt(name, publicKey, MSG);
      assertEquals(hex(await subtle.decrypt(name, privateKey, ct)), hex(MSG));
    } else {
      const alg = { name, saltLength: 32 };
      assert(await subtle.verify(alg, publicKey, await subtle.sign(alg, privateKey, MSG), MSG), name);
    }
    // The private key survives a PKCS #8 round trip.
    const again = await subtle.importKey("pkcs8", await subtle.exportKey("pkcs8", privateKey), { name, hash: "SHA-256" }, true, [usages[1] === "verify" ? "sign" : "decrypt"]);
    assertEquals([...again.algorithm.publicExponent], [3]);
  }
});

test("RSA: generateKey", async () => {
  const { publicKey, privateKey } = await subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    false, ["sign", "verify"]);
  assertEquals([publicKey.type, publicKey.extractable, publicKey.usages], ["public", true, ["verify"]]);
  assertEquals([privateKey.type, privateKey.extractable, privateKey.usages], ["private", false, ["sign"]]);
  assertEquals(privateKey.algorithm.modulusLength, 2048);
  const sig = await subtle.sign("RSASSA-PKCS1-v1_5", privateKey, MSG);
  assert(await subtle.verify("RSASSA-PKCS1-v1_5", publicKey, sig, MSG));
  const params = { name: "RSA-OAEP", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };
  await rejectsWith(subtle.generateKey({ ...params, publicExponent: [1, 0, 1] }, false, ["encrypt"]), "TypeError", "exponent must be a Uint8Array");
  const e = await rejectsWith(subtle.generateKey({ ...params, publicExponent: new Uint8Array([1, 0, 0]) }, false, ["encrypt"]), "OperationError", "exponent 65536");
  assertEquals(e.message, 'The "publicExponent" must be either 3 or 65537, but got 65536.');
  await rejectsWith(subtle.generateKey({ ...params, publicExponent: new Uint8Array([1]) }, false, ["decrypt"]), "OperationError", "exponent 1");
  await rejectsWith(subtle.generateKey({ ...params, modulusLength: 256 }, false, ["encrypt"]), "OperationError", "tiny modulus");
  await rejectsWith(subtle.generateKey(params, false, ["sign"]), "SyntaxError", "sign usage for RSA-OAEP");
  await rejectsWith(subtle.generateKey(params, false, ["encrypt"]), "SyntaxError", "no private usage");
});

const curves = [
  ["P-256", "SHA-256", "ES256", EC_P256_PKCS8, EC_P256_SPKI, EC_P256_RAW, EC_P256_COMPRESSED, EC_P256_SIG, 32],
  ["P-384", "SHA-384", "ES384", EC_P384_PKCS8, EC_P384_SPKI, EC_P384_RAW, EC_P384_COMPRESSED, EC_P384_SIG, 48],
  ["P-521", "SHA-512", "ES512", EC_P521_PKCS8, EC_P521_SPKI, EC_P521_RAW, EC_P521_COMPRESSED, EC_P521_SIG, 66],
];

test("ECDSA: known signatures verify on every curve; sign/verify round trip", async () => {
  for (const [namedCurve, hash, , pkcs8, spki, rawPub, compressed, sig, n] of curves) {
    const alg = { name: "ECDSA", namedCurve };
    const pub = await subtle.importKey("spki", unb64(spki), alg, true, ["verify"]);
    assertEquals(pub.algorithm, { name: "ECDSA", namedCurve });
    assert(await subtle.verify({ name: "ECDSA", hash }, pub, unhex(sig), MSG), namedCurve);
    assert(!(await subtle.verify({ name: "ECDSA", hash }, pub, unhex(sig), te.encode("x"))));
    assert(!(await subtle.verify({ name: "ECDSA", hash }, pub, unhex(sig).slice(1), MSG)), "short signature is false");
    const fromRaw = await subtle.importKey("raw", unhex(rawPub), alg, true, ["verify"]);
    assert(await subtle.verify({ name: "ECDSA", hash }, fromRaw, unhex(sig), MSG));
    const fromCompressed = await subtle.importKey("raw", unhex(compressed), alg, true, ["verify"]);
    assertEquals(hex(await subtle.exportKey("raw", fromCompressed)), rawPub);
    assertEquals(hex(await subtle.exportKey("spki", fromRaw)), hex(unb64(spki)));
    const priv = await subtle.importKey("pkcs8", unb64(pkcs8), alg, true, ["sign"]);
    const mine = await subtle.sign({ name: "ECDSA", hash }, priv, MSG);
    assertEquals(mine.byteLength, 2 * n);
    assert(await subtle.verify({ name: "ECDSA", hash }, pub, mine, MSG));
    await rejectsWith(subtle.sign({ name: "ECDSA", hash }, pub, MSG), "InvalidAccessError", "sign with a public key");
    await rejectsWith(subtle.exportKey("raw", priv), "InvalidAccessError", "raw export of a private key");
  }
  const p256 = await subtle.importKey("spki", unb64(EC_P256_SPKI), { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]);
  await rejectsWith(subtle.verify({ name: "ECDSA" }, p256, new Uint8Array(64), MSG), "TypeError", "hash is required");
  await rejectsWith(subtle.importKey("spki", unb64(EC_P256_SPKI), { name: "ECDSA", namedCurve: "P-384" }, true, ["verify"]), "DataError", "curve mismatch");
  await rejectsWith(subtle.importKey("raw", unhex(EC_P256_RAW).slice(0, 40), { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]), "DataError", "truncated point");
  await rejectsWith(subtle.importKey("raw", unhex(EC_P256_RAW), { name: "ECDSA", namedCurve: "P-199" }, true, ["verify"]), "DataError", "unknown curve");
  await rejectsWith(subtle.generateKey({ name: "ECDSA", namedCurve: "secp256k1" }, true, ["sign"]), "NotSupportedError", "secp256k1");
});

test("ECDSA and ECDH: JWK round trips on every curve; JWK errors", async () => {
  for (const [namedCurve, , es, pkcs8, , , , , n] of curves) {
    for (const [name, privUse, pubUse] of [["ECDSA", ["sign"], ["verify"]], ["ECDH", ["deriveBits"], []]]) {
      const alg = { name, namedCurve };
      const priv = await subtle.importKey("pkcs8", unb64(pkcs8), alg, true, privUse);
      const jwk = await subtle.exportKey("jwk", priv);
      assertEquals([jwk.kty, jwk.crv, jwk.alg, jwk.ext], ["EC", namedCurve, undefined, true]);
      assertEquals(Object.keys(jwk), ["crv", "d", "ext", "key_ops", "kty", "x", "y"]);
      assertEquals([jwk.d, jwk.x, jwk.y].map((s) => atob(s.replace(/-/g, "+").replace(/_/g, "/")).length), [n, n, n]);
      const again = await subtle.importKey("jwk", jwk, alg, true, privUse);
      assertEquals(hex(await subtle.exportKey("pkcs8", again)), hex(await subtle.exportKey("pkcs8", priv)));
      const pub = await subtle.importKey("jwk", { kty: "EC", crv: namedCurve, x: jwk.x, y: jwk.y }, alg, true, pubUse);
      assertEquals(pub.type, "public");
      await rejectsWith(subtle.importKey("jwk", { ...jwk, crv: namedCurve === "P-256" ? "P-384" : "P-256" }, alg, true, privUse), "DataError", "crv mismatch");
      await rejectsWith(subtle.importKey("jwk", { ...jwk, x: jwk.y }, alg, true, privUse), "DataError", "x is not on the curve with y");
      await rejectsWith(subtle.importKey("jwk", { ...jwk, kty: "OKP" }, alg, true, privUse), "DataError", "kty OKP");
      if (name === "ECDSA") {
        await subtle.importKey("jwk", { ...jwk, alg: es }, alg, true, privUse);
        await rejectsWith(subtle.importKey("jwk", { ...jwk, alg: es === "ES256" ? "ES384" : "ES256" }, alg, true, privUse), "DataError", "alg for another curve");
      }
    }
  }
  const d = (await subtle.exportKey("jwk", await subtle.importKey("pkcs8", unb64(EC_P256_PKCS8), { name: "ECDSA", namedCurve: "P-256" }, true, ["sign"])));
  const other = await subtle.exportKey("jwk", (await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign"])).privateKey);
  await rejectsWith(subtle.importKey("jwk", { ...d, d: other.d }, { name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]), "DataError", "d of another key");
});

test("ECDH: known shared secret; deriveBits lengths; deriveKey; errors", async () => {
  const alg = { name: "ECDH", namedCurve: "P-256" };
  const a = await subtle.importKey("pkcs8", unb64(ECDH_A_PKCS8), alg, false, ["deriveBits", "deriveKey"]);
  const b = await subtle.importKey("raw", unhex(ECDH_B_RAW), alg, true, []);
  assertEquals(b.usages, []);
  assertEquals(hex(await subtle.deriveBits({ name: "ECDH", public: b }, a, 256)), ECDH_SHARED);
  assertEquals(hex(await subtle.deriveBits({ name: "ECDH", public: b }, a)), ECDH_SHARED, "null length is the whole secret");
  assertEquals(hex(await subtle.deriveBits({ name: "ECDH", public: b }, a, 128)), ECDH_SHARED.slice(0, 32));
  const eleven = new Uint8Array(await subtle.deriveBits({ name: "ECDH", public: b }, a, 11));
  const full = unhex(ECDH_SHARED);
  assertEquals([...eleven], [full[0], full[1] & 0xe0], "11 bits: the rest of the last byte is zero");
  await rejectsWith(subtle.deriveBits({ name: "ECDH", public: b }, a, 264), "OperationError", "longer than the secret");
  const aes = await subtle.deriveKey({ name: "ECDH", public: b }, a, { name: "AES-GCM", length: 256 }, true, ["encrypt"]);
  assertEquals(hex(await subtle.exportKey("raw", aes)), ECDH_SHARED);
  await rejectsWith(subtle.importKey("raw", unhex(ECDH_B_RAW), alg, true, ["deriveBits"]), "SyntaxError", "public ECDH keys have no usages");
  await rejectsWith(subtle.deriveBits({ name: "ECDH", public: a }, a, 256), "InvalidAccessError", "public member is a private key");
  await rejectsWith(subtle.deriveBits({ name: "ECDH" }, a, 256), "TypeError", "public member is required");
  await rejectsWith(subtle.deriveBits({ name: "ECDH", public: {} }, a, 256), "TypeError", "public member is no CryptoKey");
  const p384 = (await subtle.generateKey({ name: "ECDH", namedCurve: "P-384" }, true, ["deriveBits"])).publicKey;
  await rejectsWith(subtle.deriveBits({ name: "ECDH", public: p384 }, a, 256), "InvalidAccessError", "curve mismatch");
  const ecdsaPub = await subtle.importKey("raw", unhex(ECDH_B_RAW), { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]);
  await rejectsWith(subtle.deriveBits({ name: "ECDH", public: ecdsaPub }, a, 256), "InvalidAccessError", "an ECDSA public key");
  const gen = await subtle.generateKey(alg, true, ["deriveKey"]);
  assertEquals([gen.publicKey.usages, gen.privateKey.usages], [[], ["deriveKey"]]);
  await rejectsWith(subtle.deriveBits({ name: "ECDH", public: b }, gen.privateKey, 256), "InvalidAccessError", "no deriveBits usage");
});

test("Ed25519: RFC 8032 section 7.1 tests 1 and 2", async () => {
  const cases = [
    ["9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"],
    ["4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"],
  ];
  for (const [seed, pubHex, msg, sig] of cases) {
    const jwk = { kty: "OKP", crv: "Ed25519", d: b64url(unhex(seed)), x: b64url(unhex(pubHex)) };
    const priv = await subtle.importKey("jwk", jwk, "Ed25519", true, ["sign"]);
    const data = msg ? unhex(msg) : new Uint8Array();
    assertEquals(hex(await subtle.sign("Ed25519", priv, data)), sig);
    const pub = await subtle.importKey("raw", unhex(pubHex), { name: "ed25519" }, true, ["verify"]);
    assertEquals(pub.algorithm, { name: "Ed25519" });
    assert(await subtle.verify("Ed25519", pub, unhex(sig), data));
    assert(!(await subtle.verify("Ed25519", pub, unhex(sig), te.encode("x"))));
    assert(!(await subtle.verify("Ed25519", pub, unhex(sig).slice(0, 63), data)), "short signature is false");
    const exported = await subtle.exportKey("jwk", priv);
    assertEquals(Object.keys(exported), ["alg", "crv", "d", "ext", "key_ops", "kty", "x"]);
    assertEquals([exported.alg, exported.d, exported.x], ["Ed25519", jwk.d, jwk.x]);
    const viaPkcs8 = await subtle.importKey("pkcs8", await subtle.exportKey("pkcs8", priv), "Ed25519", true, ["sign"]);
    assertEquals(hex(await subtle.sign("Ed25519", viaPkcs8, data)), sig);
    const viaSpki = await subtle.importKey("spki", await subtle.exportKey("spki", pub), "Ed25519", true, ["verify"]);
    assertEquals(hex(await subtle.exportKey("raw", viaSpki)), pubHex);
  }
});

test("Ed25519: generateKey, JWK checks and errors", async () => {
  const { publicKey, privateKey } = await subtle.generateKey("Ed25519", true, ["sign", "verify"]);
  assertEquals([publicKey.usages, privateKey.usages], [["verify"], ["sign"]]);
  const sig = await subtle.sign("Ed25519", privateKey, MSG);
  assertEquals(sig.byteLength, 64);
  assert(await subtle.verify({ name: "Ed25519" }, publicKey, sig, MSG));
  const jwk = await subtle.exportKey("jwk", privateKey);
  await subtle.importKey("jwk", { ...jwk, alg: "EdDSA" }, "Ed25519", true, ["sign"]);
  await rejectsWith(subtle.importKey("jwk", { ...jwk, alg: "ES256" }, "Ed25519", true, ["sign"]), "DataError", "alg ES256");
  await rejectsWith(subtle.importKey("jwk", { ...jwk, crv: "X25519" }, "Ed25519", true, ["sign"]), "DataError", "crv X25519");
  await rejectsWith(subtle.importKey("jwk", { ...jwk, x: b64url(new Uint8Array(32)) }, "Ed25519", true, ["sign"]), "DataError", "x of another key");
  await rejectsWith(subtle.importKey("raw", new Uint8Array(31), "Ed25519", true, ["verify"]), "DataError", "31-byte key");
  await rejectsWith(subtle.importKey("raw", new Uint8Array(32), "Ed25519", true, ["sign"]), "SyntaxError", "raw keys are public");
  await rejectsWith(subtle.importKey("spki", unb64(EC_P256_SPKI), "Ed25519", true, ["verify"]), "DataError", "an EC SPKI");
  await rejectsWith(subtle.exportKey("raw", privateKey), "InvalidAccessError", "raw export of a private key");
  await rejectsWith(subtle.sign("Ed25519", publicKey, MSG), "InvalidAccessError", "sign with the public key");
  await rejectsWith(subtle.generateKey("Ed25519", true, ["verify"]), "SyntaxError", "a key pair without private usages");
  // Small-order keys and R never verify, though the cofactorless equation
  // holds for key = R = identity and S = 0 (also with y encoded as p + 1).
  for (const enc of ["01" + "00".repeat(31), "ee" + "ff".repeat(30) + "7f"]) {
    const weak = await subtle.importKey("raw", unhex(enc), "Ed25519", true, ["verify"]);
    const forged = new Uint8Array(64);
    forged.set(unhex(enc));
    assert(!(await subtle.verify("Ed25519", weak, forged, MSG)), "small-order key " + enc.slice(0, 4));
  }
});

test("X25519: RFC 7748 section 6.1; JWK, raw, spki and pkcs8; errors", async () => {
  const alicePriv = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
  const alicePub = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
  const bobPub = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
  const shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
  const alice = await subtle.importKey("jwk", { kty: "OKP", crv: "X25519", d: b64url(unhex(alicePriv)), x: b64url(unhex(alicePub)) }, "X25519", true, ["deriveBits", "deriveKey"]);
  const bob = await subtle.importKey("raw", unhex(bobPub), "X25519", true, []);
  assertEquals(hex(await subtle.deriveBits({ name: "X25519", public: bob }, alice, 256)), shared);
  assertEquals(hex(await subtle.deriveBits({ name: "X25519", public: bob }, alice, null)), shared);
  assertEquals(hex(await subtle.deriveBits({ name: "X25519", public: bob }, alice, 64)), shared.slice(0, 16));
  const hmac = await subtle.deriveKey({ name: "X25519", public: bob }, alice, { name: "HMAC", hash: "SHA-256", length: 256 }, true, ["sign"]);
  assertEquals(hex(await subtle.exportKey("raw", hmac)), shared);
  const jwk = await subtle.exportKey("jwk", alice);
  assertEquals(Object.keys(jwk), ["crv", "d", "ext", "key_ops", "kty", "x"]);
  const again = await subtle.importKey("pkcs8", await subtle.exportKey("pkcs8", alice), "X25519", false, ["deriveBits"]);
  assertEquals(hex(await subtle.deriveBits({ name: "X25519", public: bob }, again, 256)), shared);
  const bobSpki = await subtle.importKey("spki", await subtle.exportKey("spki", bob), "X25519", true, []);
  assertEquals(hex(await subtle.exportKey("raw", bobSpki)), bobPub);
  const zero = await subtle.importKey("raw", new Uint8Array(32), "X25519", true, []);
  await rejectsWith(subtle.deriveBits({ name: "X25519", public: zero }, alice, 256), "OperationError", "all-zero shared secret");
  await rejectsWith(subtle.importKey("raw", unhex(bobPub), "X25519", true, ["deriveBits"]), "SyntaxError", "public keys have no usages");
  await rejectsWith(subtle.importKey("jwk", { ...jwk, crv: "Ed25519" }, "X25519", true, ["deriveBits"]), "DataError", "crv Ed25519");
  const ecdh = (await subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"])).publicKey;
  await rejectsWith(subtle.deriveBits({ name: "X25519", public: ecdh }, alice, 256), "InvalidAccessError", "an ECDH public key");
  await rejectsWith(subtle.deriveBits({ name: "ECDH", public: bob }, alice, 256), "InvalidAccessError", "ECDH with an X25519 base key");
  const gen = await subtle.generateKey("X25519", false, ["deriveBits"]);
  assertEquals([gen.publicKey.extractable, gen.privateKey.extractable], [true, false]);
  assertEquals((await subtle.deriveBits({ name: "X25519", public: bob }, gen.privateKey, 256)).byteLength, 32);
});

test("asymmetric work off the loop: many operations in flight settle", async () => {
  const { privateKey, publicKey } = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
  const msgs = Array.from({ length: 16 }, (_, i) => te.encode("m" + i));
  const sigs = await Promise.all(msgs.map((m) => subtle.sign({ name: "ECDSA", hash: "SHA-256" }, privateKey, m)));
  const ok = await Promise.all(sigs.map((s, i) => subtle.verify({ name: "ECDSA", hash: "SHA-256" }, publicKey, s, msgs[i])));
  assertEquals(ok, msgs.map(() => true));
  // The message was copied at the call: changing it after does not change the signature.
  const m = te.encode("stable");
  const p = subtle.sign({ name: "ECDSA", hash: "SHA-256" }, privateKey, m);
  m.fill(0);
  assert(await subtle.verify({ name: "ECDSA", hash: "SHA-256" }, publicKey, await p, te.encode("stable")));
});

test("structuredClone copies CryptoKeys of every kind", async () => {
  const keys = [
    await subtle.generateKey({ name: "HMAC", hash: "SHA-384" }, false, ["sign", "verify"]),
    await subtle.generateKey({ name: "AES-GCM", length: 192 }, true, ["encrypt"]),
    await subtle.importKey("raw", new Uint8Array(16), "HKDF", false, ["deriveBits"]),
    await subtle.importKey("pkcs8", unb64(RSA_PKCS8), { name: "RSA-PSS", hash: "SHA-256" }, false, ["sign"]),
    await subtle.importKey("spki", unb64(RSA_SPKI), { name: "RSA-OAEP", hash: "SHA-1" }, true, ["encrypt"]),
    ...Object.values(await subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, false, ["sign", "verify"])),
    ...Object.values(await subtle.generateKey({ name: "ECDH", namedCurve: "P-521" }, true, ["deriveBits"])),
    ...Object.values(await subtle.generateKey("Ed25519", false, ["sign", "verify"])),
    ...Object.values(await subtle.generateKey("X25519", false, ["deriveKey"])),
  ];
  const copies = structuredClone(keys);
  for (let i = 0; i < keys.length; i++) {
    const [k, c] = [keys[i], copies[i]];
    assert(c instanceof CryptoKey && c !== k, "a new CryptoKey " + i);
    assertEquals([c.type, c.extractable, c.algorithm, c.usages], [k.type, k.extractable, k.algorithm, k.usages], k.algorithm.name);
  }
  const [hmac, , , pss, , ecPriv, ecPub, , , edPriv, edPub] = copies;
  assertEquals(hex(await subtle.sign("HMAC", hmac, MSG)), hex(await subtle.sign("HMAC", keys[0], MSG)));
  assert(await subtle.verify({ name: "RSA-PSS", saltLength: 0 }, await subtle.importKey("spki", unb64(RSA_SPKI), { name: "RSA-PSS", hash: "SHA-256" }, false, ["verify"]), await subtle.sign({ name: "RSA-PSS", saltLength: 0 }, pss, MSG), MSG));
  assert(await subtle.verify({ name: "ECDSA", hash: "SHA-384" }, keys[6], await subtle.sign({ name: "ECDSA", hash: "SHA-384" }, ecPriv, MSG), MSG), "cloned ECDSA private key signs");
  assert(await subtle.verify({ name: "ECDSA", hash: "SHA-384" }, ecPub, await subtle.sign({ name: "ECDSA", hash: "SHA-384" }, keys[5], MSG), MSG), "cloned ECDSA public key verifies");
  assert(await subtle.verify("Ed25519", edPub, await subtle.sign("Ed25519", edPriv, MSG), MSG));
  const shared = structuredClone({ a: keys[0], b: keys[0] });
  assert(shared.a === shared.b, "one key cloned once");
});
