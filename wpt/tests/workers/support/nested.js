// Starts a worker of its own and relays its answer.
const inner = new Worker("echo.js", { name: "inner" });
inner.onmessage = (event) => postMessage({ relayed: event.data });
onmessage = (event) => inner.postMessage(event.data);
