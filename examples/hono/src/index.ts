import { Hono } from "hono";

const app = new Hono();

// Timing middleware: measures the downstream handlers and reports the
// duration in milliseconds, as a header every response carries.
app.use("*", async (c, next) => {
  const start = Date.now();
  await next();
  c.header("x-response-time", `${Date.now() - start}ms`);
});

app.get("/", (c) => c.text("Hello from Hono on Ferry!"));

app.get("/api/hello/:name", (c) => {
  const name = c.req.param("name");
  return c.json({ message: `Hello, ${name}!` });
});

app.post("/api/echo", async (c) => {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    return c.json({ error: "request body is not valid JSON" }, 400);
  }
  return c.json(body);
});

app.notFound((c) => c.json({ error: "not found", path: c.req.path }, 404));

app.onError((err, c) => {
  console.error(`${c.req.method} ${c.req.path}: ${err.message}`);
  return c.json({ error: "internal error" }, 500);
});

export default app;
