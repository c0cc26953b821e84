// Makes n fetches to ?url= and reports how each went.
export default {
  async fetch(request) {
    const u = new URL(request.url);
    const n = Number(u.searchParams.get("n"));
    const out = [];
    for (let i = 0; i < n; i++) {
      try {
        const r = await fetch(u.searchParams.get("url"));
        out.push(String(r.status));
        await r.text();
      } catch (e) {
        out.push(e.message.split(":")[0]);
      }
    }
    return new Response(out.join(","));
  },
};
