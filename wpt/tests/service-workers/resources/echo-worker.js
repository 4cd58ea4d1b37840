// Answers messages from clients: {requestId, command, value}.
//   echo:         {value, types}: the value back, and the class of each of its members as this
//                 worker sees them
//   event-info:   what the worker's MessageEvent said about the sender
//   post-function: the name of the exception Client.postMessage(a function) throws
//   global-info:  what self.registration and self.serviceWorker say
//   post-to-self: the worker posts a message to itself (self.serviceWorker.postMessage) and
//                 answers, when it arrives, what its event said about the sender
"use strict";

function classOf(value) {
  return Object.prototype.toString.call(value).slice(8, -1);
}

// post-to-self: the clients waiting for the worker's message to itself, by request id.
const waiting_for_self = new Map();

self.addEventListener("message", (event) => {
  const data = event.data;
  if (data && data.fromSelf !== undefined) {
    // The worker's own message: tell the client that asked what the event said.
    const client = waiting_for_self.get(data.fromSelf);
    waiting_for_self.delete(data.fromSelf);
    client.postMessage({
      requestId: data.fromSelf,
      sourceClass: classOf(event.source),
      sourceIsSelf: event.source === self.serviceWorker,
      origin: event.origin,
      isExtendableMessageEvent: event instanceof ExtendableMessageEvent,
    });
    return;
  }
  if (data.command === "post-to-self") {
    waiting_for_self.set(data.requestId, event.source);
    self.serviceWorker.postMessage({ fromSelf: data.requestId });
    return;
  }
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
