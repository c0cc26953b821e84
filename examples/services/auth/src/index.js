// A Worker other Workers call through service bindings: its default export
// answers fetch() and RPC, and the Tokens entrypoint has methods of its own.
import { WorkerEntrypoint } from "cloudflare:workers";

export class Tokens extends WorkerEntrypoint {
  async issue(user) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${this.env.SALT}:${user}`));
    return [...new Uint8Array(digest).slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
  }
  async verify(user, token) {
    if (token !== (await this.issue(user))) throw new Error(`bad token for ${user}`);
    return { user, ok: true };
  }
}

export default class extends WorkerEntrypoint {
  async fetch(request) {
    const user = request.headers.get("x-user");
    return user ? new Response(`hello ${user} from auth`) : new Response("who are you?", { status: 401 });
  }
  add(a, b) { return a + b; }
}
