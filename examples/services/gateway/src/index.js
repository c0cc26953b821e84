// Calls the auth Worker through service bindings: fetch() to its default
// export, RPC to its methods and to its Tokens entrypoint.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const user = url.searchParams.get("user") ?? "";
    switch (url.pathname) {
      case "/hello": {
        const res = await env.AUTH.fetch("http://auth/", { headers: { "x-user": user } });
        return new Response(await res.text(), { status: res.status });
      }
      case "/sum":
        return Response.json({ sum: await env.AUTH.add(Number(url.searchParams.get("a")), Number(url.searchParams.get("b"))) });
      case "/token":
        return Response.json({ token: await env.TOKENS.issue(user) });
      case "/verify":
        try {
          return Response.json(await env.TOKENS.verify(user, url.searchParams.get("token")));
        } catch (e) {
          return Response.json({ error: e.message }, { status: 403 });
        }
    }
    return new Response("not found", { status: 404 });
  },
};
