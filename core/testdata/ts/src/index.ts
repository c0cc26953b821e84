interface Env { NAME: string }

function fail(reason: string): never {
  throw new Error(`typed failure: ${reason}`);
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/fail") {
      fail("on purpose");
    }
    return new Response(`ts ok ${env.NAME}`);
  },
};
