// hello: the smallest Worker, text response.
export default {
  fetch() {
    return new Response("Hello World!\n", { headers: { "content-type": "text/plain" } });
  },
};
