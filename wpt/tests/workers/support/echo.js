// Answers each message with what it received and what it knows of itself.
onmessage = (event) => {
  postMessage({
    echo: event.data,
    name: self.name,
    isTrusted: event.isTrusted,
    origin: event.origin,
    isDedicated: self instanceof DedicatedWorkerGlobalScope,
    location: self.location.href,
  });
};
