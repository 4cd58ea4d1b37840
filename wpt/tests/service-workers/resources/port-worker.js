// Answers on the port a client sends ({command: "port"}), and sends a port to the client
// ({command: "give-port"}) through Client.postMessage.
"use strict";
self.addEventListener("message", (event) => {
  const data = event.data;
  if (data.command === "port") {
    const port = event.ports[0];
    port.onmessage = (m) => port.postMessage({ echo: m.data });
    port.postMessage({ ready: true, ports: event.ports.length,
                       inList: event.ports.includes(data.port) });
    return;
  }
  if (data.command === "give-port") {
    const channel = new MessageChannel();
    channel.port1.onmessage = (m) => channel.port1.postMessage("worker heard " + m.data);
    event.source.postMessage({ requestId: data.requestId }, [channel.port2]);
  }
});
