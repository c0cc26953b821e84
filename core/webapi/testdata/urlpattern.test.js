// URLPattern as Workers use it: routing request URLs and reading groups.

test("URLPattern: a pathname pattern routes a request URL and reads its groups", () => {
  const p = new URLPattern({ pathname: "/books/:id" });
  const req = new Request("https://example.com/books/123?x=1");
  const r = p.exec(req.url);
  assertEquals(r.pathname, { input: "/books/123", groups: { id: "123" } });
  assertEquals(r.search, { input: "x=1", groups: { 0: "x=1" } });
  assertEquals(r.inputs, ["https://example.com/books/123?x=1"]);
  assert(p.test("https://other.example/books/9"), "any host matches");
  assert(!p.test("https://example.com/books/1/2"), "a segment group stops at /");
  assertEquals(p.exec("https://example.com/authors/1"), null);
});

test("URLPattern: constructor strings, base URLs and component getters", () => {
  const p = new URLPattern("https://*.example.com/api/:version/*");
  assertEquals([p.protocol, p.username, p.hostname, p.port, p.pathname, p.search, p.hash],
    ["https", "*", "*.example.com", "", "/api/:version/*", "*", "*"]);
  const r = p.exec("https://eu.example.com/api/v2/users/7");
  assertEquals(r.hostname.groups, { 0: "eu" });
  assertEquals(r.pathname.groups, { version: "v2", 0: "users/7" });

  const rel = new URLPattern("/items/:id", "https://shop.example");
  assert(rel.test("https://shop.example/items/5"));
  assert(!rel.test("https://other.example/items/5"));
  assertEquals(rel.exec("/items/5", "https://shop.example").inputs, ["/items/5", "https://shop.example"]);
  assertEquals(new URLPattern({ pathname: "/foo/(.*)" }).pathname, "/foo/*");
});

test("URLPattern: optional, repeated and regexp groups", () => {
  const p = new URLPattern({ pathname: "/files/:path+" });
  assertEquals(p.exec({ pathname: "/files/a/b/c" }).pathname.groups, { path: "a/b/c" });
  const opt = new URLPattern({ pathname: "/posts/:slug?" });
  const r = opt.exec({ pathname: "/posts" });
  assert("slug" in r.pathname.groups && r.pathname.groups.slug === undefined, "an optional group that did not match is undefined");
  const num = new URLPattern({ pathname: "/users/:id(\\d+)" });
  assert(num.hasRegExpGroups);
  assert(num.test({ pathname: "/users/42" }) && !num.test({ pathname: "/users/abc" }));
  assert(!p.hasRegExpGroups);
});

test("URLPattern: regexp groups with lookahead and backreferences", () => {
  const look = new URLPattern({ pathname: "/:name((?!admin)[a-z]+)" });
  assert(look.test({ pathname: "/alice" }));
  assert(!look.test({ pathname: "/admin" }));
  const back = new URLPattern({ pathname: "/:a([a-z])/(\\1)" });
  assert(back.test({ pathname: "/x/x" }));
  assert(!back.test({ pathname: "/x/y" }));
  const sets = new URLPattern({ pathname: "/([\\w--[0-9]]+)" });
  assert(sets.test({ pathname: "/abc" }) && !sets.test({ pathname: "/ab1" }));
});

test("URLPattern: ignoreCase applies to pathname, search and hash", () => {
  const p = new URLPattern({ pathname: "/About" }, { ignoreCase: true });
  assert(p.test("https://example.com/about"));
  assert(p.test("https://example.com/ABOUT"));
  assert(!new URLPattern({ pathname: "/About" }).test("https://example.com/about"));
  const s = new URLPattern("https://example.com/a?Q=1", { ignoreCase: true });
  assert(s.test("https://example.com/A?q=1"));
});

test("URLPattern: URL objects and init dictionaries as input", () => {
  const p = new URLPattern({ hostname: "example.com", pathname: "/b/:id" });
  assert(p.test(new URL("https://example.com/b/1")));
  const r = p.exec({ pathname: "/b/2", baseURL: "https://example.com" });
  assertEquals(r.hostname.input, "example.com");
  assertEquals(r.inputs, [{ pathname: "/b/2", baseURL: "https://example.com" }]);
  assertThrows(() => p.exec({ pathname: "/b/2" }, "https://example.com"), TypeError);
  assertEquals(p.exec("not a url"), null);
  assert(!p.test());
});

test("URLPattern: errors are TypeErrors", () => {
  assertThrows(() => new URLPattern({ pathname: "/(" }), TypeError);
  assertThrows(() => new URLPattern({ pathname: "/:id/:id" }), TypeError, "duplicate");
  assertThrows(() => new URLPattern("/relative"), TypeError);
  assertThrows(() => new URLPattern({ pathname: "/([a-)" }), TypeError);
  assertThrows(() => new URLPattern({ pathname: "/a" }, "https://example.com"), TypeError);
  assertThrows(() => URLPattern({ pathname: "/a" }), TypeError);
  assertThrows(() => URLPattern.prototype.test.call({}, "https://a.example"), TypeError, "Illegal invocation");
});

test("URLPattern: WebIDL shape", () => {
  const d = Object.getOwnPropertyDescriptor(globalThis, "URLPattern");
  assert(d.writable && d.configurable && !d.enumerable);
  assertEquals(URLPattern.name, "URLPattern");
  assertEquals(URLPattern.length, 0);
  const p = new URLPattern();
  assertEquals(Object.prototype.toString.call(p), "[object URLPattern]");
  assertEquals(Object.keys(p), []);
  assertEquals(p.pathname, "*");
  class Route extends URLPattern {}
  const r = new Route({ pathname: "/x" });
  assert(r instanceof Route && r instanceof URLPattern && r.test({ pathname: "/x" }));
  for (const m of ["test", "exec"]) assertEquals(typeof URLPattern.prototype[m], "function");
});

test("URLPattern: exec() results behave as plain objects", () => {
  const p = new URLPattern({ pathname: "/u/:id" });
  const r = p.exec("https://example.com/u/7");
  assertEquals(Object.getPrototypeOf(r), Object.prototype);
  assertEquals(Object.keys(r), ["inputs", "protocol", "username", "password", "hostname", "port", "pathname", "search", "hash"]);
  assert(r.pathname === r.pathname, "a component result is made once");
  assert(Object.prototype.hasOwnProperty.call(r, "hash") && "search" in r);
  const copy = { ...r };
  assertEquals(copy.pathname.groups, { id: "7" });
  assertEquals(JSON.parse(JSON.stringify(r)).pathname, { input: "/u/7", groups: { id: "7" } });
  r.pathname = "replaced";
  r.extra = 1;
  delete r.hash;
  assertEquals(r.pathname, "replaced");
  assertEquals(Object.keys(r).slice(-2), ["search", "extra"]);
  assert(!("hash" in r) && r.hash === undefined);
  // Each exec() returns a new result, and results do not share state.
  const a = p.exec("https://example.com/u/1"), b = p.exec("https://example.com/u/2");
  assertEquals([a.pathname.groups.id, b.pathname.groups.id], ["1", "2"]);
  assertEquals(p.exec("/u/3", "https://a.example").hostname.input, "a.example");
  assertEquals(p.exec("/u/3", "https://b.example").hostname.input, "b.example");
});
