fetch("/api/hello").then((r) => r.json()).then((j) => {
  document.getElementById("hello").textContent = `API says hello ${j.hello}`;
});
