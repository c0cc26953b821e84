// echo: parse a JSON POST body and send it back as JSON.
export default {
  async fetch(request) {
    if (request.method !== "POST") return new Response("POST JSON here", { status: 405 });
    const data = await request.json();
    return Response.json(data);
  },
};
