// Answers messages from clients: {requestId, command, value}.
//   echo:         {value, types}: the value back, and the class of each of its members as this
//                 worker sees them
//   event-info:   what the worker's MessageEvent said about the sender
//   post-function: the name of the exception Client.postMessage(a function) throws
//   global-info:  what self.registration and self.serviceWorker say
"use strict";

function classOf(value) {
  return Object.prototype.toString.call(value).slice(8, -1);
}

self.addEventListener("message", (event) => {
  const data = event.data;
  const reply = { requestId: data.requestId };
  if (data.command === "echo") {
    reply.value = data.value;
    reply.types = {};
    for (const key of Object.keys(data.value)) {
      reply.types[key] = classOf(data.value[key]);
    }
  } else if (data.command === "event-info") {
    const source = event.source;
    reply.eventClass = classOf(event);
    reply.isExtendableMessageEvent = typeof ExtendableMessageEvent === "function" &&
                                     event instanceof ExtendableMessageEvent;
    reply.isExtendableEvent = event instanceof ExtendableEvent;
    reply.origin = event.origin;
    reply.lastEventId = event.lastEventId;
    reply.ports = Array.isArray(event.ports) ? event.ports.length : String(event.ports);
    reply.source = source && {
      class: classOf(source),
      id: source.id,
      url: source.url,
      type: source.type,
      frameType: source.frameType,
    };
  } else if (data.command === "global-info") {
    reply.scope = self.registration.scope;
    reply.registrationClass = classOf(self.registration);
    reply.scriptURL = self.serviceWorker.scriptURL;
    reply.state = self.serviceWorker.state;
    reply.serviceWorkerClass = classOf(self.serviceWorker);
    reply.isActive = self.serviceWorker === self.registration.active;
    reply.clientsClass = classOf(self.clients);
  } else if (data.command === "post-function") {
    try {
      event.source.postMessage({ requestId: data.requestId, f: function () {} });
      reply.error = "no exception";
    } catch (error) {
      reply.error = error.name;
      reply.isDOMException = error instanceof DOMException;
    }
  }
  event.source.postMessage(reply);
});
