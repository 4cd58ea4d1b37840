// Answers every message on the port it was given, and gives the page a port of its own.
onmessage = (event) => {
  if (event.data === "send me a port") {
    const channel = new MessageChannel();
    channel.port1.onmessage = (m) => channel.port1.postMessage("worker's port got " + m.data);
    postMessage("here", [channel.port2]);
    return;
  }
  const port = event.ports[0];
  port.onmessage = (m) => port.postMessage({ echo: m.data, ports: m.ports.length });
  port.postMessage({ ready: event.data });
};
