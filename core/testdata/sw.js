addEventListener("fetch", (event) => {
  event.respondWith(new Response("service worker says " + GREETING));
});
