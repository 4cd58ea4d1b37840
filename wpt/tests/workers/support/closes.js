onmessage = (event) => {
  if (event.data === "close") {
    postMessage("closing");
    close();
    postMessage("posted after close()");
    setTimeout(() => postMessage("timer after close()"), 0);
    return;
  }
  postMessage("alive: " + event.data);
};
